-- Load the H3 cells covering the zones (registered DataFrame cells_frame with WKB hexagons).
insert into cells (cell, resolution, lon, lat, geom, zone_id)
select cell, resolution, lon, lat, st_geomfromwkb(wkb), zone_id
from cells_frame
