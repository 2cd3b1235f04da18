-- The directed edges each routed corridor's path uses: the road loads of a period are od_daily's trips for
-- the filters joined here and summed per edge (queries/app/road_loads.sql), so no rerun routes anything.
create or replace table road_corridor_edges (
    level varchar not null,           -- 'zone' | 'place'
    origin varchar not null,
    destination varchar not null,
    edge_id integer not null          -- road_edges.edge_id
)
