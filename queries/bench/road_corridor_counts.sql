-- Corridors the road loads routed, per level (the roads benchmark).
select level, count(*) as n, count(*) filter (where routed) as routed
from road_corridors
group by level
order by level
