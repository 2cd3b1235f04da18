-- The first $limit gap cells of level $level (see level_coverage.sql): centre and the tourism zone they lie
-- in, so an official can find them on the map.
with level_zones as (
    select geom
    from zones
    where level = $level
),

extent as (
    select st_convexhull(st_collect(list(geom))) as hull
    from level_zones
),

assigned as (
    select cell
    from cell_zones
    where level = $level
),

gaps as (
    select c.cell, c.lat, c.lon, c.zone_id
    from cells as c
    cross join extent as e
    anti join assigned as a on a.cell = c.cell
    where st_covers(e.hull, st_point(c.lon, c.lat))
),

final as (
    select g.cell, g.lat, g.lon, g.zone_id as tourism_zone_id, z.name_en as tourism_zone_name
    from gaps as g
    left join zones as z on z.zone_id = g.zone_id
)

select * from final
order by cell
limit $limit
