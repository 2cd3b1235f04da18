-- Provenance of every dataset in the database.
select dataset, simulated, seed, sources, params, built_at, version
from meta
order by dataset
