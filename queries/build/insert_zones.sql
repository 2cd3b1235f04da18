-- Load validated zones (registered DataFrame zones_frame with WKB geometry).
insert into zones (zone_id, level, name_en, name_th, name_zh, geom, area_km2, approximate, source)
select zone_id, level, name_en, name_th, name_zh, st_geomfromwkb(wkb), area_km2, approximate, source
from zones_frame
