-- Public people-hours per tourism zone for a month range, weekdays, hours and segment groups: every published
-- pub_presence row of the zone (its shown cells and the rest of the zone), plus one row (outside = true,
-- zone_id '') for rows outside every zone. slots = days with data in those months and weekdays × hours.
with slots as (
    select coalesce(sum(c.days), 0)::bigint * ($hour_to - $hour_from + 1) as slots
    from pub_calendar as c
    where c.month_start between $first_month and $last_month
      and list_contains($weekdays, c.weekday)
),

selected as (
    select pp.zone_id, pp.cell, pp.people_hours
    from pub_presence as pp
    where pp.month_start between $first_month and $last_month
      and list_contains($weekdays, pp.weekday)
      and pp.hour between $hour_from and $hour_to
      and list_contains($segments, pp.segment_group)
),

by_zone as (
    select
        zone_id,
        sum(people_hours)::bigint as visitor_hours,
        count(distinct cell)::bigint as cells_with_data        -- published cells (the rest has no cell)
    from selected
    group by zone_id
),

rows as (
    select
        z.zone_id, z.name_en, z.name_th, z.area_km2, false as outside,
        coalesce(b.visitor_hours, 0)::bigint as visitor_hours,
        coalesce(b.cells_with_data, 0)::bigint as cells_with_data
    from zones as z
    left join by_zone as b on b.zone_id = z.zone_id
    union all
    select
        '' as zone_id, null as name_en, null as name_th, null as area_km2, true as outside,
        coalesce(sum(b.visitor_hours), 0)::bigint as visitor_hours,
        coalesce(sum(b.cells_with_data), 0)::bigint as cells_with_data
    from by_zone as b
    where b.zone_id is null
),

final as (
    select r.zone_id, r.name_en, r.name_th, r.area_km2, r.outside, r.visitor_hours, r.cells_with_data, s.slots
    from rows as r
    cross join slots as s
)

select * from final
order by outside, visitor_hours desc, zone_id
