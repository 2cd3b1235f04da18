-- Every place's position (to snap the place corridors onto the road network).
select place_id, lon, lat
from places
order by place_id
