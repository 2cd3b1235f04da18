-- Store the routed corridors (registered DataFrame road_corridors_frame).
insert into road_corridors (level, origin, destination, routed, seconds, length_m, edges, note)
select level, origin, destination, routed, seconds, length_m, edges, note
from road_corridors_frame
