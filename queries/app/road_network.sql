-- The loaded road network's provenance (the roads row of meta): source, import time and the importer's
-- counts as JSON (network_id, nodes, edges, km, dropped pieces, ...). No row when no network is loaded.
select sources, params, built_at
from meta
where dataset = 'roads'
