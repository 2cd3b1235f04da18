-- People per day from the presence cube when there are no stays (an operator's aggregated feed; a temp
-- table on the build connection, computed once and read by 13_presence_daily.sql and 14_presence_zone_daily.sql; empty when stays exist).
-- Without devices a day's people cannot be counted, so they are approximated by the busiest hour: the
-- day's unique devices are the peak of the hourly unique devices (people who left before the peak hour
-- are missed; a person in two cells within one hour counts in both). The daily rollups also answer "people present between hours a and b" by summing
-- rows whose first_hour <= b and last_hour >= a; to keep that meaning, the peak is cut into bands at each
-- distinct hourly value v (people v_prev < k <= v) and each band's presence window is the first to the last
-- hour with at least v people. A whole day then sums to the peak, and a window to its own peak whenever the
-- day has one busy period (more when it has two, the valley between them counting as present).
-- city: true for the whole city (zone_id null), false per zone (zone_id null: cells outside every zone).
-- dwell_minutes: the day's minutes present, shared over the bands by their people.
create or replace temp table presence_day_bands as
with cube as (
    select
        cast(ts_hour as date) as day,
        cast(hour(ts_hour) as tinyint) as hour,
        zone_id,
        segment,
        visitor_type,
        visitors,
        dwell_minutes
    from visits_hourly
    where not exists (select 1 from stays)
),

hourly as (
    select
        grouping(zone_id) = 1 as city,
        day,
        hour,
        zone_id,
        coalesce(zone_id, '') as zone_key,
        segment,
        visitor_type,
        sum(visitors) as visitors,
        sum(dwell_minutes) as dwell_minutes
    from cube
    group by grouping sets ((day, hour, zone_id, segment, visitor_type), (day, hour, segment, visitor_type))
),

levels as (
    select distinct city, day, zone_key, segment, visitor_type, visitors as v
    from hourly
    where visitors > 0
),

hulls as (
    select
        l.city,
        l.day,
        l.zone_key,
        l.segment,
        l.visitor_type,
        l.v,
        min(h.hour) as first_hour,
        max(h.hour) as last_hour
    from levels as l
    inner join hourly as h
        on h.city = l.city
        and h.day = l.day
        and h.zone_key = l.zone_key
        and h.segment = l.segment
        and h.visitor_type = l.visitor_type
        and h.visitors >= l.v
    group by l.city, l.day, l.zone_key, l.segment, l.visitor_type, l.v
),

bands as (
    select
        *,
        v - coalesce(lag(v) over (partition by city, day, zone_key, segment, visitor_type order by v), 0) as people
    from hulls
),

days as (
    select
        city, day, zone_key, any_value(zone_id) as zone_id, segment, visitor_type,
        max(visitors) as peak, sum(dwell_minutes) as dwell_minutes
    from hourly
    group by city, day, zone_key, segment, visitor_type
),

final as (
    select
        b.city,
        b.day,                                                   -- local date
        d.zone_id,
        b.segment,
        b.visitor_type,
        cast(b.first_hour as tinyint) as first_hour,
        cast(b.last_hour as tinyint) as last_hour,
        cast(sum(b.people) as bigint) as visitors,               -- people (approximate, see above)
        sum(d.dwell_minutes * b.people / d.peak) as dwell_minutes
    from bands as b
    inner join days as d
        on d.city = b.city
        and d.day = b.day
        and d.zone_key = b.zone_key
        and d.segment = b.segment
        and d.visitor_type = b.visitor_type
    group by b.city, b.day, d.zone_id, b.segment, b.visitor_type, b.first_hour, b.last_hour
)

select city, day, zone_id, segment, visitor_type, first_hour, last_hour, visitors, dwell_minutes from final
