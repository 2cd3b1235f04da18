-- Benchmark: no DuckDB progress bar on this connection (the benchmark prints its own table).
set enable_progress_bar = false
