-- The most loaded streets for the filters: segments' loads (as app/road_loads.sql) grouped by street name
-- (else road number, else the class): peak trips on any of its segments, trip-kilometres, loaded length.
with filtered as (
    select origin, destination, trips
    from od_filtered($level, $start, $end, $weekdays, $segments)
    where origin <> destination
),
per_edge as (
    select ce.edge_id, sum(f.trips)::bigint as trips
    from filtered as f
    join road_corridor_edges as ce
        on ce.level = $level and ce.origin = f.origin and ce.destination = f.destination
    group by ce.edge_id
),
per_segment as (
    select e.segment_id, any_value(e.highway) as highway, any_value(e.name) as name,
        any_value(e.name_th) as name_th, any_value(e.ref) as ref, any_value(e.length_m) as length_m,
        sum(p.trips)::bigint as trips
    from per_edge as p
    join road_edges as e on e.edge_id = p.edge_id
    group by e.segment_id
),
streets as (
    select
        case when name <> '' then name when ref <> '' then ref else '(unnamed ' || highway || ')' end as street,
        any_value(name_th) as street_th,
        mode(highway) as highway,
        max(trips)::bigint as peak_trips,
        sum(trips * length_m) / 1000.0 as trip_km,
        sum(length_m) / 1000.0 as loaded_km
    from per_segment
    group by 1
),
final as (
    select row_number() over (order by peak_trips desc, street) as rank, *
    from streets
)
select * from final
where rank <= $top_n
order by rank
