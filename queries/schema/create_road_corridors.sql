-- Corridors routed on the road network by the road-loads step (geo/build/roads.py): whether each was
-- routed, its path's time and length, and why not when it was not. Rebuilt after every build or import.
create or replace table road_corridors (
    level varchar not null,           -- 'zone' | 'place'
    origin varchar not null,          -- zone_id or place_id
    destination varchar not null,     -- zone_id or place_id
    routed boolean not null,          -- a path on the network was found
    seconds double,                   -- free-flow driving time of the path
    length_m double,                  -- metres along the path
    edges integer not null,           -- directed edges on the path
    note varchar not null             -- why it was not routed ('' when it was)
)
