-- Presence per zone by day × hour of day × segment group.
-- visitors: sum over the zone's cells of hourly unique devices (people present in that hour);
-- est_people: visitors × the expansion weight of segment group and month (estimated people present);
-- dwell_minutes: minutes present. Feeds the hour-of-day charts and the busiest-hour figures.
create or replace table presence_hourly as
with hourly as (
    select
        cast(v.ts_hour as date) as day,
        cast(hour(v.ts_hour) as tinyint) as hour,
        v.zone_id,
        split_part(v.segment, ':', 1) as segment_group,
        v.visitors,
        v.visitors * coalesce(w.weight, 1.0) as est_people,
        v.dwell_minutes
    from visits_hourly as v
    left join expansion_weights as w
        on w.segment_group = split_part(v.segment, ':', 1)
        and w.month_start = cast(date_trunc('month', v.ts_hour) as date)
),

final as (
    select
        day,
        hour,
        zone_id,
        segment_group,
        cast(sum(visitors) as bigint) as visitors,
        sum(est_people) as est_people,
        sum(dwell_minutes) as dwell_minutes
    from hourly
    group by day, hour, zone_id, segment_group
)

select * from final
order by day, hour, zone_id
