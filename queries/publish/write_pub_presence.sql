-- pub_presence: people present per H3 cell (or the rest of a zone) × month × weekday × hour × segment group
-- (publish/presence.sql); every row has at least the floor of distinct people.
create table pub_presence as
with final as (
    select
        cast(month_start as date) as month_start,     -- first day of the local month
        cast(weekday as tinyint) as weekday,          -- 0 = Monday .. 6 = Sunday
        cast(hour as tinyint) as hour,                -- local hour of day, 0..23
        cast(segment_group as varchar) as segment_group,  -- domestic | international | resident
        cast(zone_id as varchar) as zone_id,          -- tourism zone of the cell(s); null outside every zone
        cast(cell as ubigint) as cell,                -- H3 cell; null = the zone's hidden cells merged
        cast(people as bigint) as people,             -- distinct people present in the unit (>= floor)
        cast(people_hours as bigint) as people_hours, -- unique people per hour, summed over the unit's days
        cast(est_people as double) as est_people,     -- ESTIMATE: people × the group's public weight of the month
        cast(est_people_hours as double) as est_people_hours  -- ESTIMATE: people_hours × the same weight
    from staged_rows
)

select month_start, weekday, hour, segment_group, zone_id, cell, people, people_hours, est_people, est_people_hours
from final
order by month_start, weekday, hour, segment_group, zone_id, cell
