-- How the forecast was made (its provenance row) and whether the flows it was fitted on are simulated.
select
    f.params,
    f.built_at,
    coalesce((select m.simulated from meta as m where m.dataset = 'flows'), f.simulated) as simulated
from meta as f
where f.dataset = 'forecast'
