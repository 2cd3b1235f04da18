-- The most visited places for the period (visits that started in the selected hours), in the city
-- ($zone_id = '') or one zone: attractions, or the given categories when $categories is not empty.
with visits as (
    select
        pv.place_id,
        sum(pv.visits)::bigint as visits,                 -- place visits (count)
        sum(pv.dwell_minutes) as dwell_minutes            -- minutes on site
    from presence_place_daily as pv
    where pv.day between $start and $end
      and list_contains($weekdays, isodow(pv.day) - 1)
      and pv.hour between $hour_from and $hour_to
      and list_contains($segments, pv.segment_group)
    group by pv.place_id
),

final as (
    select
        p.place_id,
        p.name_en,
        p.name_th,
        p.name_zh,
        p.category,
        p.zone_id,
        z.name_en as zone_name,
        z.name_th as zone_name_th,
        z.name_zh as zone_name_zh,
        v.visits,
        v.dwell_minutes / v.visits as avg_dwell_minutes   -- minutes per visit
    from visits as v
    join places as p on p.place_id = v.place_id
    left join zones as z on z.zone_id = p.zone_id
    where ($zone_id = '' or p.zone_id = $zone_id)
      and ((len($categories) = 0 and p.layer = 'attraction') or list_contains($categories, p.category))
)

select * from final
order by visits desc, place_id
limit $limit
