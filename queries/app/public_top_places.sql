-- Public most visited places for a month range: visits per place summed over published pub_place_visits rows;
-- attractions, or the given categories when $categories is not empty.
with visits as (
    select pv.place_id, sum(pv.visits)::bigint as visits, sum(pv.dwell_minutes) as dwell_minutes
    from pub_place_visits as pv
    where pv.month_start between $first_month and $last_month
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
        v.visits,
        v.dwell_minutes / v.visits as avg_dwell_minutes   -- minutes per visit
    from visits as v
    inner join places as p on p.place_id = v.place_id
    left join zones as z on z.zone_id = p.zone_id
    where (len($categories) = 0 and p.layer = 'attraction') or list_contains($categories, p.category)
)

select * from final
order by visits desc, place_id
limit $limit
