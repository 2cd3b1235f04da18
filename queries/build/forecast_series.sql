-- Daily visitors (non-residents, chosen measure: people-days) per tourism zone and for the whole city ('all'),
-- every day with presence data (zero where a zone had none): the series the forecast is fitted on.
with days as (
    select day from presence_days
),

zone_ids as (
    select zone_id from zones where level = 'tourism_zone'
),

zone_sums as (
    select day, zone_id, sum({{measure}})::double as visitors
    from presence_zone_daily
    where split_part(segment, ':', 1) <> 'resident'
    group by day, zone_id
),

city_sums as (
    select day, 'all' as zone_id, sum({{city_measure}})::double as visitors
    from presence_daily
    where split_part(segment, ':', 1) <> 'resident'
    group by day
),

grid as (
    select d.day, z.zone_id from days as d cross join zone_ids as z
    union all
    select d.day, 'all' as zone_id from days as d
),

final as (
    select
        g.zone_id,                                                   -- tourism zone id, or 'all' (the city)
        g.day,                                                       -- local day
        coalesce(zs.visitors, cs.visitors, 0)::double as visitors    -- people-days of visitors
    from grid as g
    left join zone_sums as zs on zs.day = g.day and zs.zone_id = g.zone_id
    left join city_sums as cs on cs.day = g.day and cs.zone_id = g.zone_id
)

select * from final
order by zone_id, day
