-- The zones of one level (the tourism zones) for the published file; the outline as WKB.
select zone_id, level, name_en, name_th, name_zh, st_aswkb(geom) as geom_wkb, area_km2, approximate, source
from zones
where level = $level
order by zone_id
