-- DuckDB's memory limit for the database instance (geo/db.py held_memory_limit: an out-of-core build or
-- pipeline run lowers it to what its device partitions need, then puts the configured one back).
set memory_limit = $memory_limit
