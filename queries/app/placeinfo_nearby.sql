-- Places of any layer within $radius_m metres (haversine) of a place, nearest first; bbox envelope prefilter (R-tree).
-- Its target and measured steps are also in capacity_catchment.sql, on purpose: the app opens the database
-- read-only, so a shared step would have to be a macro stored by the build, and a places-only database
-- (`geo build --no-flows` runs no rollups) or one built before the macro existed would then fail here,
-- although these queries need nothing but places. The candidate steps differ (columns, layer, limit);
-- tests/test_sql.py checks that the shared steps stay identical.
with target as (
    select p.lon, p.lat
    from places as p
    where p.place_id = $place_id
),
candidates as (
    select p.place_id, p.layer, p.category, p.name_en, p.name_th, p.name_zh, p.lon, p.lat
    from places as p
    where p.place_id <> $place_id
      and st_intersects(p.geom, st_makeenvelope($min_lon, $min_lat, $max_lon, $max_lat))
),
measured as (
    select
        c.*,
        -- haversine on the mean Earth radius $earth_radius_m (geo.vocab.EARTH_RADIUS_M, as geo.services.movement)
        2 * $earth_radius_m * asin(sqrt(
            pow(sin(radians(c.lat - t.lat) / 2), 2)
            + cos(radians(t.lat)) * cos(radians(c.lat)) * pow(sin(radians(c.lon - t.lon) / 2), 2)
        )) as distance_m
    from candidates as c
    cross join target as t
),
final as (
    select place_id, layer, category, name_en, name_th, name_zh, lon, lat, distance_m
    from measured
    where distance_m <= $radius_m
)
select * from final
order by distance_m, place_id
limit $limit
