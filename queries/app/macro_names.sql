-- Table and scalar macros stored in the open database (rollups store the ones app queries call), by name.
select distinct function_name as macro_name
from duckdb_functions()
where function_type in ('macro', 'table_macro') and schema_name = 'main' and not internal
order by macro_name
