-- Load the road network's nodes (registered DataFrame road_nodes_frame).
insert into road_nodes (node_id, osm_node, lon, lat)
select node_id, osm_node, lon, lat
from road_nodes_frame
