-- DuckDB's memory limit for the database instance (an out-of-core pipeline run lowers it to what its
-- device partitions need, then restores the configured one: geo/build/pipeline.py _partition_memory).
set memory_limit = $memory_limit
