-- Zone of each rounded stay centre in the frame's order (stream engine; null outside every zone).
select
    k,
    zone_id
from stay_cells
order by k
