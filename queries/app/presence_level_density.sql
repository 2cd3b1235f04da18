-- People-hours per zone of level $level for the Visitor density selection (months x weekdays x hours x
-- segment groups), summed over the zone's cells (cell_zones) from presence_cell_profile, plus one row
-- (outside = true, zone_id '') for the cells with data in no zone of the level. As on the density map,
-- $floor (the public view's privacy floor, 0 for officials) drops every profile row with fewer distinct
-- devices before summing, so each figure is a sum of the units the map shows. slots = days with data in
-- those months and weekdays x selected hours.
with slots as (
    select count(*)::bigint * ($hour_to - $hour_from + 1) as slots
    from presence_days as pd
    where list_contains($months, pd.month)
      and list_contains($weekdays, pd.weekday)
),

cell_totals as (
    select cp.cell, sum(cp.visitors)::bigint as visitor_hours
    from presence_cell_profile as cp
    where list_contains($months, cp.month)
      and list_contains($weekdays, cp.weekday)
      and cp.hour between $hour_from and $hour_to
      and list_contains($segments, cp.segment_group)
      and cp.devices >= $floor
    group by cp.cell
),

zoned as (
    select cz.zone_id, ct.visitor_hours             -- zone_id null: in no zone of the level
    from cell_totals as ct
    left join cell_zones as cz on cz.cell = ct.cell and cz.level = $level
    where ct.visitor_hours > 0
),

by_zone as (
    select zone_id, sum(visitor_hours)::bigint as visitor_hours, count(*)::bigint as cells_with_data
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
        r.visitor_hours,                                  -- people-hours in the selection
        r.cells_with_data,                                -- cells with people
        s.slots                                           -- hour slots averaged over
    from rows as r
    cross join slots as s
)

select * from final
order by outside, visitor_hours desc, zone_id
