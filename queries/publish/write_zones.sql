-- Zones into the published file (schema/create_zones.sql), from the staged rows of read_zones.sql.
insert into zones (zone_id, level, name_en, name_th, name_zh, geom, area_km2, approximate, source)
select zone_id, level, name_en, name_th, name_zh, st_geomfromwkb(geom_wkb), area_km2, approximate, source
from staged_rows
