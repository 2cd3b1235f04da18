-- Directed edges of the imported road network: a two-way segment of a way is two edges, a one-way one
-- edge. Times are free-flow: length / speed (maxspeed where tagged, else the class default, docs/roads.md).
create or replace table road_edges (
    edge_id integer primary key,      -- 0 .. m-1
    segment_id integer not null,      -- the piece of road between two nodes (both directions share it)
    forward boolean not null,         -- travels the segment in its way's node order
    source integer not null,          -- road_nodes.node_id the edge leaves
    target integer not null,          -- road_nodes.node_id the edge reaches
    osm_way bigint not null,          -- OpenStreetMap way id
    highway varchar not null,         -- road class (highway=*)
    name varchar not null,            -- name:en, else name, else ref ('' when none)
    name_th varchar not null,         -- name:th ('' when none)
    ref varchar not null,             -- road number (ref=*, '' when none)
    oneway boolean not null,          -- the segment may be driven one way only
    maxspeed_kmh double,              -- tagged maximum speed (null when not tagged or not understood)
    speed_kmh double not null,        -- speed used for the time
    length_m double not null,         -- metres along the road
    seconds double not null,          -- free-flow driving time
    geom geometry not null            -- LINESTRING in travel direction, EPSG:4326
)
