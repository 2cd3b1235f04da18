-- Published person-days from an operator's aggregated feed (no stays): per tourism zone (null = outside every
-- zone) × month × segment group × visitor type, from the same atoms as publish/presence_aggregated.sql (one cell,
-- hour, group and visitor type with at least $floor unique devices; smaller ones dropped before summing).
-- people_days = Σ over the days of the zone's busiest hour (its atoms summed over the zone's cells), the
-- officials' approximation without stays (docs/import.md); people = the unit's largest atom, a lower bound on its
-- distinct people. With $floor = 0 nothing is dropped: the publisher's summary reads the whole measure so.
with atoms as (
    select
        h.cell,
        coalesce(h.zone_id, '') as zone_id,
        h.ts_hour,
        split_part(h.segment, ':', 1) as segment_group,
        h.visitor_type,
        sum(h.visitors) as visitors
    from visits_hourly as h
    group by h.cell, coalesce(h.zone_id, ''), h.ts_hour, split_part(h.segment, ':', 1), h.visitor_type
    having sum(h.visitors) >= $floor and sum(h.visitors) > 0
),

zone_hours as (
    select zone_id, ts_hour, segment_group, visitor_type, sum(visitors) as visitors, max(visitors) as people
    from atoms
    group by zone_id, ts_hour, segment_group, visitor_type
),

zone_days as (
    select
        zone_id, cast(ts_hour as date) as day, segment_group, visitor_type,
        max(visitors) as people_days,                    -- the day's busiest hour in the zone
        max(people) as people
    from zone_hours
    group by zone_id, cast(ts_hour as date), segment_group, visitor_type
),

final as (
    select
        cast(date_trunc('month', day) as date) as month_start,
        nullif(zone_id, '') as zone_id,
        segment_group,
        visitor_type,
        cast(max(people) as bigint) as people,           -- lower bound on distinct people
        cast(sum(people_days) as bigint) as people_days
    from zone_days
    group by 1, 2, 3, 4
)

select month_start, zone_id, segment_group, visitor_type, people, people_days from final
order by month_start, zone_id nulls first, segment_group, visitor_type
