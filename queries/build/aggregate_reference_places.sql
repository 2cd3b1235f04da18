-- The places of an atlas database as the frame build/insert_places.sql reads (places_frame), for
-- `geo aggregate`: every pipeline partition (one DuckDB run, or a Spark task) loads the same copy.
select
    place_id,
    layer,
    category,
    name_en,
    name_th,
    name_zh,        -- Chinese name where known (data/seed/names_zh.csv)
    lon,            -- WGS84 degrees
    lat,            -- WGS84 degrees
    cell,           -- H3 cell of the point
    rooms,
    capacity,
    price_band,
    estimated,
    open_hour,      -- local hour, null = always open
    close_hour,     -- local hour, 1..24
    source
from places
order by place_id
