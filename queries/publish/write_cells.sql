-- H3 cells into the published file (schema/create_cells.sql), from the staged rows of read_cells.sql.
insert into cells (cell, resolution, lon, lat, geom, zone_id)
select cell, resolution, lon, lat, st_geomfromwkb(geom_wkb), zone_id
from staged_rows
