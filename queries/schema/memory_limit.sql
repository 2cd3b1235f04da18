-- DuckDB's memory limit as it shows it (e.g. '3.7 GiB'; geo/db.py held_memory_limit).
select current_setting('memory_limit') as memory_limit
