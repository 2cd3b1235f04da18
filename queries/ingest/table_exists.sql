-- Whether a table (or view) of this name exists in the open database.
select count(*) > 0 as present
from duckdb_tables()
where schema_name = 'main' and database_name = current_database() and table_name = $name
