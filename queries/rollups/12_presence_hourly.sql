-- Presence per zone by day × hour of day × segment group.
-- visitors: sum over the zone's cells of hourly unique devices (people present in that hour);
-- est_people: visitors × the expansion weight of segment group and month (estimated people present);
-- dwell_minutes: minutes present. Feeds the hour-of-day charts and the busiest-hour figures.
create or replace table presence_hourly as
with final as (
    select
        day,
        hour,
        zone_id,
        segment_group,
        cast(sum(visitors) as bigint) as visitors,
        sum(est_people) as est_people,
        sum(dwell_minutes) as dwell_minutes
    from presence_weighted  -- visits_hourly with segment_group and est_people (10_presence_weighted.sql)
    group by day, hour, zone_id, segment_group
)

select * from final
order by day, hour, zone_id
