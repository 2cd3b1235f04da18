-- The columns of one table of the main schema, by name (which measure a rollup carries).
select column_name
from duckdb_columns()
where schema_name = 'main' and database_name = current_database() and table_name = $table_name
order by column_index
