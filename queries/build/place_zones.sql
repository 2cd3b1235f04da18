-- Each place's tourism zone (event venues name their zones through their places).
select place_id, zone_id
from places
order by place_id
