-- The road network's provenance row (carried into a rebuilt database with the network).
select dataset, simulated, seed, sources, params, built_at, version
from meta
where dataset = 'roads'
