-- Remove one dataset's provenance row (its rows were replaced by an import).
delete from meta
where dataset = $dataset
