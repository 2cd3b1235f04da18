-- Nodes of the imported road network (geo/ingest/roads.py): way ends and intersections of the largest
-- strongly connected part. Replaced whole by every roads import.
create or replace table road_nodes (
    node_id integer primary key,      -- 0 .. n-1
    osm_node bigint not null,         -- OpenStreetMap node id
    lon double not null,              -- WGS84 degrees
    lat double not null               -- WGS84 degrees
)
