-- One area: project tourism zones by default; official districts and custom areas via import.
create table zones (
    zone_id varchar primary key,
    level varchar not null,           -- tourism_zone | district | custom
    name_en varchar not null,
    name_th varchar not null,
    name_zh varchar,                  -- Chinese (Simplified) name, null when unknown (data/seed/names_zh.csv)
    geom geometry not null,           -- (multi)polygon, EPSG:4326
    area_km2 double not null,         -- area in square kilometres (UTM 47N)
    approximate boolean not null,     -- drawn by the project, not an official boundary
    source varchar not null
)
