-- The zones of an atlas database as the frame build/insert_zones.sql reads (zones_frame: geometry as
-- WKB), for `geo aggregate`: the exact point-in-zone test for stay cells missing from the cells table.
select
    zone_id,
    level,
    name_en,
    name_th,
    name_zh,        -- Chinese name where known (data/seed/names_zh.csv)
    st_aswkb(geom) as wkb,   -- (multi)polygon, EPSG:4326
    area_km2,
    approximate,
    source
from zones
order by zone_id
