-- Provenance rows the published file keeps: every dataset but the zones of levels it does not publish
-- ($level: the tourism zones) and the forecast (officials only, not in the file). Their params (build
-- parameters, file names) stay with the officials.
select dataset, simulated, seed, sources, built_at, version
from meta
where (dataset not like 'zones: %' or dataset = 'zones: ' || $level)
  and dataset <> 'forecast'
order by dataset
