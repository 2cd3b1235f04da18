-- The file of the database the connection works in (null when it is in memory): the stream pipeline's
-- running sums spill beside it (geo/build/pipeline.py _spill_dir).
select path
from duckdb_databases()
where database_name = current_database()
