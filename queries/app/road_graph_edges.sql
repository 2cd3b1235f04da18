-- The road network's directed edges with their lines (WKB, travel direction), to route itineraries and draw
-- their paths; `road` names the street in turn instructions (English or local name, else its number).
select edge_id, segment_id, forward, source, target, seconds, length_m, name as road, st_aswkb(geom) as wkb
from road_edges
order by edge_id
