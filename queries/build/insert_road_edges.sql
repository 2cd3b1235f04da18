-- Load the road network's directed edges (registered DataFrame road_edges_frame, geometry as WKB).
insert into road_edges (
    edge_id, segment_id, forward, source, target, osm_way, highway, name, name_th, ref, oneway,
    maxspeed_kmh, speed_kmh, length_m, seconds, geom
)
select
    edge_id, segment_id, forward, source, target, osm_way, highway, name, name_th, ref, oneway,
    maxspeed_kmh, speed_kmh, length_m, seconds, st_geomfromwkb(wkb)
from road_edges_frame
