-- Road load for the filters: the trips of every routed corridor (od_filtered: level, dates, weekdays,
-- segments, as the corridor map) added to each edge of its stored path, then both directions of a street
-- segment summed; the $top_n most loaded segments with their line (GeoJSON, drawn direction, simplified).
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
    select e.segment_id, sum(p.trips)::bigint as trips, max(p.trips)::bigint as busier_direction
    from per_edge as p
    join road_edges as e on e.edge_id = p.edge_id
    group by e.segment_id
),
ranked as (
    select *, row_number() over (order by trips desc, segment_id) as rank
    from per_segment
),
shape as (
    select segment_id, highway, name, name_th, ref, length_m,
        case when forward then geom else st_reverse(geom) end as geom
    from road_edges
    where segment_id in (select segment_id from ranked where rank <= $top_n)
    qualify row_number() over (partition by segment_id order by edge_id) = 1
),
final as (
    select r.rank, r.segment_id, r.trips, r.busier_direction, s.highway, s.name, s.name_th, s.ref, s.length_m,
        st_asgeojson(st_simplify(s.geom, 0.00001)) as geometry   -- drawn: ~1 m tolerance keeps the map small
    from ranked as r
    join shape as s on s.segment_id = r.segment_id
    where r.rank <= $top_n
)
select * from final
order by rank
