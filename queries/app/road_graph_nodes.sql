-- The road network's nodes, to route itineraries (geo/services/roads.py keeps the graph per network).
select node_id, lon, lat
from road_nodes
order by node_id
