-- Published presence from an operator's aggregated feed (no stays: docs/privacy.md, "Aggregated feeds"): people
-- per H3 cell × month × weekday × hour of day × segment group, published only when one hour of the unit already
-- had at least $floor unique devices of the group in the cell.
--
-- The feed counts unique devices per cell, hour, segment and visitor type; a device has one segment and one
-- visitor type, so the rows of a group in one cell and hour add up to the group's unique devices there. Across
-- hours or cells the same person may be counted again, so the distinct people of a unit are unknown; its
-- busiest single cell-hour is a lower bound, and that bound is the unit's people. people_hours: the unique
-- devices summed over the unit's days. Hidden cells are not merged into the rest of their zone: no bound
-- across cells could show that the merged cells hold $floor people.
with cell_hours as (
    select
        h.cell,
        h.zone_id,
        h.ts_hour,
        split_part(h.segment, ':', 1) as segment_group,
        sum(h.visitors) as visitors                      -- unique devices of the group in the cell and hour
    from visits_hourly as h
    group by h.cell, h.zone_id, h.ts_hour, split_part(h.segment, ':', 1)
),

units as (
    select
        cast(date_trunc('month', ts_hour) as date) as month_start,
        cast(isodow(ts_hour) - 1 as tinyint) as weekday,
        cast(hour(ts_hour) as tinyint) as hour,
        segment_group,
        zone_id,
        cell,
        max(visitors) as people,                         -- lower bound: the busiest day's unique devices
        sum(visitors) as people_hours
    from cell_hours
    group by 1, 2, 3, 4, 5, 6
),

final as (
    select month_start, weekday, hour, segment_group, zone_id, cell, people, people_hours
    from units
    where people >= $floor
)

select month_start, weekday, hour, segment_group, zone_id, cell, people, people_hours from final
order by month_start, weekday, hour, segment_group, zone_id, cell
