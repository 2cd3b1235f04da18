-- Record one dataset's provenance (replaces an earlier row for the same dataset).
insert or replace into meta (dataset, simulated, seed, sources, params, built_at, version)
values ($dataset, $simulated, $seed, $sources, $params, $built_at, $version)
