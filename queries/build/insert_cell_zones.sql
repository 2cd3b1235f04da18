-- Assign every cell to the zone of level $level that covers its centre (point-in-polygon, boundary
-- included). A centre covered by two zones of the level (an overlap, or a point exactly on a shared
-- edge) goes to the smallest zone_id; a centre in no zone of the level gets no row (a gap, or outside
-- the level's area). Returns the number of rows inserted.
insert into cell_zones (level, cell, zone_id)
with candidates as (
    select c.cell, z.zone_id
    from cells as c
    inner join zones as z on st_covers(z.geom, st_point(c.lon, c.lat))
    where z.level = $level
),

final as (
    select
        $level as level,
        cell,
        min(zone_id) as zone_id                 -- smallest zone_id wins an overlap
    from candidates
    group by cell
)

select level, cell, zone_id from final
