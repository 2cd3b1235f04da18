-- How much of the period's corridor trips the road loads carry: trips and corridors for the filters, and the
-- part on corridors routed on the network (the rest: places or zones too far from a road, or place
-- corridors outside the busiest ones routed).
with filtered as (
    select origin, destination, trips
    from od_filtered($level, $start, $end, $weekdays, $segments)
    where origin <> destination
),
joined as (
    select f.trips, coalesce(c.routed, false) as routed
    from filtered as f
    left join road_corridors as c
        on c.level = $level and c.origin = f.origin and c.destination = f.destination
),
final as (
    select
        coalesce(sum(trips), 0)::bigint as corridor_trips,
        coalesce(sum(trips) filter (where routed), 0)::bigint as routed_trips,
        count(*)::bigint as corridors,
        count(*) filter (where routed)::bigint as routed_corridors
    from joined
)
select * from final
