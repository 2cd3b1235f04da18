-- Top origin -> destination corridors (directed, origin <> destination) for the filters, with endpoint names and points.
with filtered as (
    -- trips per origin -> destination for the filters (the macro of rollups/21_od_filtered.sql, shared
    -- with movement_flow_totals.sql)
    select origin, destination, trips
    from od_filtered($level, $start, $end, $weekdays, $segments)
),
ranked as (
    select origin, destination, trips,
        row_number() over (order by trips desc, origin, destination) as rank
    from filtered
    where origin <> destination
),
endpoints as (
    select 'zone' as kind, zone_id as id, name_en, name_th, name_zh,
        st_x(st_pointonsurface(geom)) as lon, st_y(st_pointonsurface(geom)) as lat
    from zones
    union all
    select 'place' as kind, place_id as id, name_en, name_th, name_zh, lon, lat
    from places
),
final as (
    select
        r.rank, r.origin, o.name_en as origin_name_en, o.name_th as origin_name_th, o.name_zh as origin_name_zh, o.lon as origin_lon, o.lat as origin_lat,
        r.destination, d.name_en as destination_name_en, d.name_th as destination_name_th, d.name_zh as destination_name_zh,
        d.lon as destination_lon, d.lat as destination_lat,
        r.trips
    from ranked as r
    left join endpoints as o on o.kind = $level and o.id = r.origin
    left join endpoints as d on d.kind = $level and d.id = r.destination
    where r.rank <= $top_n
)
select * from final
order by rank
