-- Every place with what the simulator needs: layer, category, position, size, price band, hours, zone.
select
    place_id,
    layer,
    category,
    lon,                  -- WGS84 degrees
    lat,                  -- WGS84 degrees
    capacity,             -- people on site (attractions) or guests (accommodation)
    rooms,                -- accommodation rooms
    price_band,           -- budget | mid | upscale | luxury
    open_hour,            -- local hour, null = always open
    close_hour,           -- local hour 1..24, null = always open
    zone_id
from places
order by place_id
