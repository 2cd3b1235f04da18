-- Every node of the road network (to route corridors, or to carry the network into a rebuilt database).
select node_id, osm_node, lon, lat
from road_nodes
order by node_id
