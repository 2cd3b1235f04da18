-- Pairs of zones of level $level that overlap by more than $tolerance_km2 square kilometres (area in the
-- metric CRS $metric_crs), with the cells whose centre lies in both (they go to zone_a, the smaller id).
with level_zones as (
    select zone_id, geom
    from zones
    where level = $level
),

pairs as (
    select a.zone_id as zone_a, b.zone_id as zone_b, st_intersection(a.geom, b.geom) as overlap
    from level_zones as a
    inner join level_zones as b on a.zone_id < b.zone_id and st_intersects(a.geom, b.geom)
),

measured as (
    select
        zone_a,
        zone_b,
        overlap,
        st_area(st_transform(overlap, 'EPSG:4326', $metric_crs, always_xy := true)) / 1e6 as overlap_km2
    from pairs
),

large as (
    select zone_a, zone_b, overlap, overlap_km2
    from measured
    where overlap_km2 > $tolerance_km2
),

shared as (
    select l.zone_a, l.zone_b, count(*)::bigint as shared_cells
    from large as l
    inner join cells as c on st_covers(l.overlap, st_point(c.lon, c.lat))
    group by l.zone_a, l.zone_b
),

final as (
    select
        l.zone_a,
        l.zone_b,
        l.overlap_km2,                                     -- km²
        coalesce(s.shared_cells, 0)::bigint as shared_cells  -- cells whose centre is in both zones
    from large as l
    left join shared as s on s.zone_a = l.zone_a and s.zone_b = l.zone_b
)

select * from final
order by overlap_km2 desc, zone_a, zone_b
