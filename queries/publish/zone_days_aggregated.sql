-- Person-day units from an operator's aggregated feed (no stays), before suppression (geo/publish/suppress.py
-- aggregated_zone_days): per tourism zone ('' = outside every zone) × month × segment group × visitor type,
-- people_days = Σ over the days of the zone's busiest hour of unique devices of the group and type (the
-- officials' rollups approximate person-days the same way without stays; docs/import.md), and people = the
-- largest unique-device count of the group and type in one cell and one hour of the unit: a lower bound on the
-- distinct people behind it (a person may be counted in two cells of one hour, or in many hours).
with cell_hours as (
    select
        h.cell,
        coalesce(h.zone_id, '') as zone_id,
        h.ts_hour,
        split_part(h.segment, ':', 1) as segment_group,
        h.visitor_type,
        sum(h.visitors) as visitors
    from visits_hourly as h
    group by h.cell, coalesce(h.zone_id, ''), h.ts_hour, split_part(h.segment, ':', 1), h.visitor_type
),

zone_hours as (
    select
        zone_id, ts_hour, segment_group, visitor_type,
        sum(visitors) as visitors,                       -- the zone's unique devices in the hour (cells summed)
        max(visitors) as cell_peak                       -- the busiest single cell of the hour
    from cell_hours
    group by zone_id, ts_hour, segment_group, visitor_type
),

zone_days as (
    select
        zone_id, cast(ts_hour as date) as day, segment_group, visitor_type,
        max(visitors) as people_days,                    -- the day's busiest hour in the zone
        max(cell_peak) as people
    from zone_hours
    group by zone_id, cast(ts_hour as date), segment_group, visitor_type
),

final as (
    select
        cast(date_trunc('month', day) as date) as month_start,
        zone_id,
        segment_group,
        visitor_type,
        cast(max(people) as bigint) as people,           -- lower bound on distinct people
        cast(sum(people_days) as bigint) as people_days
    from zone_days
    group by 1, 2, 3, 4
    having sum(people_days) > 0
)

select month_start, zone_id, segment_group, visitor_type, people, people_days from final
order by month_start, zone_id, segment_group, visitor_type
