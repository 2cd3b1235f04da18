-- Whether a table of this name exists in the open database (a database built before it had none).
select count(*) > 0 as present
from duckdb_tables()
where schema_name = 'main' and database_name = current_database() and table_name = $name
