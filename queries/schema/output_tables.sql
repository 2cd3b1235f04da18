-- The pipeline's output names that exist in the open database as base tables (databases built before
-- the outputs became views over coded tables); the pipeline drops them before creating the views.
select table_name
from duckdb_tables()
where schema_name = 'main'
    and database_name = current_database()
    and table_name in ('stays', 'place_visits', 'visits_hourly', 'trips')
order by table_name
