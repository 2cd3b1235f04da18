-- Every base table in the database with its row count (DuckDB's stored count) and column count.
select table_name, estimated_size as row_count, column_count
from duckdb_tables()
where schema_name = 'main' and database_name = current_database()
order by table_name
