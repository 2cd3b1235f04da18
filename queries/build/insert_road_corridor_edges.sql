-- Store the corridors' paths as edge lists (registered DataFrame road_corridor_edges_frame).
insert into road_corridor_edges (level, origin, destination, edge_id)
select level, origin, destination, edge_id
from road_corridor_edges_frame
order by level, origin, destination
