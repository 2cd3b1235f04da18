-- Whether the flows of this database are simulated (no row: no flows).
select simulated
from meta
where dataset = 'flows'
