-- A pings import reads its feed once, streaming: keeping the Parquet pages in DuckDB's external file cache
-- would only hold memory (up to the memory limit; ~0.7 GB for a 30M-ping feed) that the check never reads again.
set enable_external_file_cache = false
