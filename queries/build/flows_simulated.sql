-- Whether the flows the estimates expand are simulated (meta row 'flows').
select simulated
from meta
where dataset = 'flows'
