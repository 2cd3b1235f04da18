-- Published presence: people per H3 cell × month × weekday × hour of day × segment group, every row with at
-- least $floor distinct people behind it (docs/privacy.md).
--
-- people: distinct devices present in the unit at all, over all its days (from the stays, expanded into the
-- local hours they overlap, as rollups/11_presence_cell_profile.sql does); people_hours: unique devices per
-- hour summed over the unit's days (the presence cube's own count). A cell unit below the floor is not
-- published; the hidden cells of one zone (NULL: outside every zone) for the same month, weekday, hour and
-- group are merged into one row with cell NULL ("the rest of the zone"), published when those cells together
-- hold at least $floor distinct people (counted across the cells, so one person in two hidden cells counts
-- once) and dropped otherwise. A zone's rest is never a single hidden cell: that cell alone is below the floor.
with stay_hours as (
    select
        s.device,
        s.cell,
        s.zone_id,
        split_part(s.segment, ':', 1) as segment_group,
        unnest(generate_series(
            date_trunc('hour', s.stay_start),
            date_trunc('hour', s.stay_end - interval 1 microsecond),
            interval 1 hour
        )) as ts_hour
    from stays as s
),

slots as (
    select distinct
        device,
        cell,
        zone_id,
        segment_group,
        cast(date_trunc('month', ts_hour) as date) as month_start,
        cast(isodow(ts_hour) - 1 as tinyint) as weekday,
        cast(hour(ts_hour) as tinyint) as hour
    from stay_hours
),

cell_people as (
    select cell, month_start, weekday, hour, segment_group, count(distinct device) as people
    from slots
    group by cell, month_start, weekday, hour, segment_group
),

cell_hours as (
    select
        h.cell,
        h.zone_id,
        cast(date_trunc('month', h.ts_hour) as date) as month_start,
        cast(isodow(h.ts_hour) - 1 as tinyint) as weekday,
        cast(hour(h.ts_hour) as tinyint) as hour,
        split_part(h.segment, ':', 1) as segment_group,
        sum(h.visitors) as people_hours
    from visits_hourly as h
    group by 1, 2, 3, 4, 5, 6
),

cell_units as (
    select
        h.cell, h.zone_id, h.month_start, h.weekday, h.hour, h.segment_group, h.people_hours,
        coalesce(p.people, 0) as people
    from cell_hours as h
    left join cell_people as p
        on p.cell = h.cell
        and p.month_start = h.month_start
        and p.weekday = h.weekday
        and p.hour = h.hour
        and p.segment_group = h.segment_group
),

shown as (
    select cell, zone_id, month_start, weekday, hour, segment_group, people, people_hours
    from cell_units
    where people >= $floor
),

hidden_people as (
    select s.zone_id, s.month_start, s.weekday, s.hour, s.segment_group, count(distinct s.device) as people
    from slots as s
    anti join shown as sh
        on sh.cell = s.cell
        and sh.month_start = s.month_start
        and sh.weekday = s.weekday
        and sh.hour = s.hour
        and sh.segment_group = s.segment_group
    group by s.zone_id, s.month_start, s.weekday, s.hour, s.segment_group
),

hidden_hours as (
    select zone_id, month_start, weekday, hour, segment_group, sum(people_hours) as people_hours
    from cell_units
    where people < $floor
    group by zone_id, month_start, weekday, hour, segment_group
),

rest as (
    select
        cast(null as ubigint) as cell, h.zone_id, h.month_start, h.weekday, h.hour, h.segment_group, p.people,
        h.people_hours
    from hidden_hours as h
    inner join hidden_people as p
        on p.zone_id is not distinct from h.zone_id
        and p.month_start = h.month_start
        and p.weekday = h.weekday
        and p.hour = h.hour
        and p.segment_group = h.segment_group
    where p.people >= $floor
),

final as (
    select month_start, weekday, hour, segment_group, zone_id, cell, people, people_hours from shown
    union all
    select month_start, weekday, hour, segment_group, zone_id, cell, people, people_hours from rest
)

select month_start, weekday, hour, segment_group, zone_id, cell, people, people_hours from final
order by month_start, weekday, hour, segment_group, zone_id, cell
