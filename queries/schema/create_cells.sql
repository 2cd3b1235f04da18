-- One H3 cell covering the province; every hex aggregation joins here for geometry and zone.
create table cells (
    cell ubigint primary key,         -- H3 index as unsigned 64-bit integer
    resolution tinyint not null,
    lon double not null,              -- cell centre
    lat double not null,
    geom geometry not null,           -- hexagon polygon, EPSG:4326
    zone_id varchar not null          -- tourism zone holding the cell centre
)
