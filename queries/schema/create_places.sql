-- One real place: attraction, accommodation, health or transport (data/seed/places/*.csv).
create table places (
    place_id varchar primary key,
    layer varchar not null,           -- attraction | accommodation | health | transport
    category varchar not null,        -- see data/seed/places/FORMAT.md
    name_en varchar not null,
    name_th varchar not null,
    name_zh varchar,                  -- Chinese (Simplified) name, null when unknown (data/seed/names_zh.csv)
    lon double not null,              -- WGS84 degrees
    lat double not null,              -- WGS84 degrees
    geom geometry not null,           -- POINT(lon lat), EPSG:4326
    cell ubigint not null,            -- H3 cell (resolution in meta/settings) holding the place
    zone_id varchar,                  -- tourism zone containing the place
    rooms integer,                    -- accommodation rooms
    capacity integer,                 -- guests (accommodation) or people on site (attractions)
    price_band varchar,               -- budget | mid | upscale | luxury (accommodation)
    estimated boolean not null,       -- rooms/capacity are project estimates
    open_hour tinyint,                -- local hour opening (null = always open)
    close_hour tinyint,               -- local hour closing, 1..24
    source varchar not null           -- source key, see data/README.md
)
