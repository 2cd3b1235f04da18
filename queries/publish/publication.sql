-- The publication record of a published file (meta row 'publication': when, from what, floor, method as JSON).
select dataset, simulated, sources, params, built_at, version
from meta
where dataset = 'publication'
