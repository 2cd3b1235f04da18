-- Presence per zone by day × hour of day × segment group.
-- visitors: sum over the zone's cells of hourly unique devices (people present in that hour);
-- dwell_minutes: minutes present. Feeds the hour-of-day charts and the busiest-hour figures.
create or replace table presence_hourly as
with hourly as (
    select
        cast(ts_hour as date) as day,
        cast(hour(ts_hour) as tinyint) as hour,
        zone_id,
        split_part(segment, ':', 1) as segment_group,
        visitors,
        dwell_minutes
    from visits_hourly
),

final as (
    select
        day,
        hour,
        zone_id,
        segment_group,
        cast(sum(visitors) as bigint) as visitors,
        sum(dwell_minutes) as dwell_minutes
    from hourly
    group by day, hour, zone_id, segment_group
)

select * from final
order by day, hour, zone_id
