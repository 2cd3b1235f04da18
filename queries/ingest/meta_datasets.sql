-- The datasets recorded in meta and whether each is simulated (what an aggregated import replaces).
select dataset, simulated
from meta
order by dataset
