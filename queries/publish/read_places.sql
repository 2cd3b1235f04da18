-- Every place, for the published file (public facts: the Atlas map shows them all); the point as WKB.
select
    place_id, layer, category, name_en, name_th, name_zh, lon, lat, st_aswkb(geom) as geom_wkb, cell, zone_id, rooms,
    capacity, price_band, estimated, open_hour, close_hour, source
from places
order by place_id
