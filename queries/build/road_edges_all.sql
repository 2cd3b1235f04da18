-- Every directed edge of the road network with its line as WKB (to route corridors, or to carry the network
-- into a rebuilt database); `road` is the name turn instructions use.
select
    edge_id, segment_id, forward, source, target, osm_way, highway, name, name_th, ref, oneway,
    maxspeed_kmh, speed_kmh, length_m, seconds, name as road, st_aswkb(geom) as wkb
from road_edges
order by edge_id
