-- Provenance rows the published file keeps: every dataset but the zones of levels it does not publish
-- ($level: the tourism zones), the forecast (officials only) and the officials' estimates (their weights would publish device totals;
-- the publication record carries public weights instead: docs/estimates.md,
-- "The public view"). Their params (build parameters, file names) stay with the officials.
select dataset, simulated, seed, sources, built_at, version
from meta
where (dataset not like 'zones: %' or dataset = 'zones: ' || $level)
  and dataset not in ('forecast', 'estimates')
order by dataset
