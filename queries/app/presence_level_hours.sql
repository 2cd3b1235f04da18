-- People-hours per zone of level $level for one period (dates, weekdays, hours, segment groups), summed
-- over the zone's cells (cell_zones) from the cell-keyed presence_cell_hourly rollup, plus one row
-- (outside = true, zone_id '') for the cells with data in no zone of the level. Additive over cells, so
-- the zones and the outside row add up to the whole city. slots = days with data x selected hours.
with days as (
    select count(*)::bigint as days_with_data
    from presence_days as pd
    where pd.day between $start and $end
      and list_contains($weekdays, pd.weekday)
),

cell_totals as (
    select
        ch.cell,
        sum(ch.visitors)::bigint as visitor_hours,      -- people-hours in the cell
        sum(ch.dwell_minutes) as dwell_minutes
    from presence_cell_hourly as ch
    where ch.day between $start and $end
      and list_contains($weekdays, isodow(ch.day) - 1)
      and ch.hour between $hour_from and $hour_to
      and list_contains($segments, ch.segment_group)
    group by ch.cell
),

zoned as (
    select
        cz.zone_id,                                      -- null: in no zone of the level
        ct.visitor_hours,
        ct.dwell_minutes
    from cell_totals as ct
    left join cell_zones as cz on cz.cell = ct.cell and cz.level = $level
    where ct.visitor_hours > 0
),

by_zone as (
    select
        zone_id,
        sum(visitor_hours)::bigint as visitor_hours,
        sum(dwell_minutes) as dwell_minutes,
        count(*)::bigint as cells_with_data
    from zoned
    group by zone_id
),

rows as (
    select
        z.zone_id,
        z.name_en,
        z.name_th,
        z.area_km2,
        false as outside,
        coalesce(b.visitor_hours, 0)::bigint as visitor_hours,
        coalesce(b.dwell_minutes, 0.0) as dwell_minutes,
        coalesce(b.cells_with_data, 0)::bigint as cells_with_data
    from zones as z
    left join by_zone as b on b.zone_id = z.zone_id
    where z.level = $level
    union all
    select
        '' as zone_id,
        null as name_en,
        null as name_th,
        null as area_km2,
        true as outside,
        coalesce(sum(b.visitor_hours), 0)::bigint as visitor_hours,
        coalesce(sum(b.dwell_minutes), 0.0) as dwell_minutes,
        coalesce(sum(b.cells_with_data), 0)::bigint as cells_with_data
    from by_zone as b
    where b.zone_id is null
),

final as (
    select
        r.zone_id,
        r.name_en,
        r.name_th,
        r.area_km2,
        r.outside,
        r.visitor_hours,                                               -- people-hours
        r.dwell_minutes,                                               -- minutes present
        r.cells_with_data,                                             -- cells with people
        d.days_with_data,
        d.days_with_data * ($hour_to - $hour_from + 1) as slots         -- day-hour slots averaged over
    from rows as r
    cross join days as d
)

select * from final
order by outside, visitor_hours desc, zone_id
