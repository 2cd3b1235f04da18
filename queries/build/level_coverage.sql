-- How the cells relate to level $level: its zones, all cells (the province), cells with a zone of the
-- level, cells whose centre lies in the level's extent (the convex hull of its zones), and gaps: cells
-- inside that extent whose centre is in no zone of the level (slivers between zones, holes, missing zones).
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

in_extent as (
    select c.cell
    from cells as c
    cross join extent as e
    where st_covers(e.hull, st_point(c.lon, c.lat))
),

final as (
    select
        (select count(*) from level_zones)::bigint as zones,
        (select count(*) from cells)::bigint as cells,
        (select count(*) from assigned)::bigint as assigned_cells,
        (select count(*) from in_extent)::bigint as extent_cells,
        (select count(*) from in_extent as i anti join assigned as a on a.cell = i.cell)::bigint as gap_cells
)

select * from final
