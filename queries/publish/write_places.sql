-- Places into the published file (schema/create_places.sql), from the staged rows of read_places.sql.
insert into places (
    place_id, layer, category, name_en, name_th, name_zh, lon, lat, geom, cell, zone_id, rooms, capacity, price_band,
    estimated, open_hour, close_hour, source
)
select
    place_id, layer, category, name_en, name_th, name_zh, lon, lat, st_geomfromwkb(geom_wkb), cell, zone_id, rooms,
    capacity, price_band, estimated, open_hour, close_hour, source
from staged_rows
