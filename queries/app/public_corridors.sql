-- Public busiest corridors between tourism zones for a month range: trips per origin -> destination summed
-- over the published pub_corridors rows, the top $top_n, with endpoint names and points.
with filtered as (
    select pc.origin, pc.destination, sum(pc.trips)::bigint as trips
    from pub_corridors as pc
    where pc.month_start between $first_month and $last_month
    group by pc.origin, pc.destination
),

ranked as (
    select origin, destination, trips,
        row_number() over (order by trips desc, origin, destination) as rank
    from filtered
),

endpoints as (
    select zone_id as id, name_en, name_th, name_zh,
        st_x(st_pointonsurface(geom)) as lon, st_y(st_pointonsurface(geom)) as lat
    from zones
),

final as (
    select
        r.rank, r.origin, o.name_en as origin_name_en, o.name_th as origin_name_th, o.name_zh as origin_name_zh, o.lon as origin_lon,
        o.lat as origin_lat, r.destination, d.name_en as destination_name_en, d.name_th as destination_name_th, d.name_zh as destination_name_zh,
        d.lon as destination_lon, d.lat as destination_lat, r.trips
    from ranked as r
    left join endpoints as o on o.id = r.origin
    left join endpoints as d on d.id = r.destination
    where r.rank <= $top_n
)

select * from final
order by rank
