-- Published presence from an operator's aggregated feed (no stays; docs/privacy.md, "Aggregated feeds"): people
-- per H3 cell × month × weekday × hour of day × segment group, summed from the feed's cell-hours that reach the
-- floor on their own (publish/aggregated_atoms.sql's rule, repeated here so the query stands alone).
--
-- An atom is one cell, one hour, one segment group and one visitor type: the feed's unique devices there (a device
-- has one segment and one visitor type, so the segment rows of a group add up). An atom below $floor is dropped
-- before anything is summed, from every published table alike, so no published figure, nor any difference of
-- figures, holds any part of it. people: the unit's largest atom, a lower bound on its distinct people (the same
-- person may be counted in many hours); people_hours: the atoms summed over the unit's days.
with atoms as (
    select
        h.cell,
        h.zone_id,
        h.ts_hour,
        split_part(h.segment, ':', 1) as segment_group,
        h.visitor_type,
        sum(h.visitors) as visitors
    from visits_hourly as h
    group by h.cell, h.zone_id, h.ts_hour, split_part(h.segment, ':', 1), h.visitor_type
    having sum(h.visitors) >= $floor
),

units as (
    select
        cast(date_trunc('month', ts_hour) as date) as month_start,
        cast(isodow(ts_hour) - 1 as tinyint) as weekday,
        cast(hour(ts_hour) as tinyint) as hour,
        segment_group,
        zone_id,
        cell,
        max(visitors) as people,                         -- lower bound on distinct people (>= $floor)
        sum(visitors) as people_hours
    from atoms
    group by 1, 2, 3, 4, 5, 6
),

final as (
    select month_start, weekday, hour, segment_group, zone_id, cell, people, people_hours
    from units
)

select month_start, weekday, hour, segment_group, zone_id, cell, people, people_hours from final
order by month_start, weekday, hour, segment_group, zone_id, cell
