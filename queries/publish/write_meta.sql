-- Provenance rows into the published file (schema/create_meta.sql): the kept source rows without their
-- params, and the publication record, staged by geo/publish/run.py.
insert into meta (dataset, simulated, seed, sources, params, built_at, version)
select dataset, simulated, seed, sources, params, built_at, version
from staged_rows
