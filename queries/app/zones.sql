-- Zones of one level with their outline as GeoJSON text (simplified to ~10 m for drawing).
select
    zone_id, level, name_en, name_th, name_zh, area_km2, approximate,
    st_asgeojson(st_simplifypreservetopology(geom, 0.0001)) as geometry
from zones
where level = $level
order by zone_id
