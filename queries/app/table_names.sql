-- Tables and views present in the main schema of the open database, by name (the pipeline's outputs
-- are views over coded tables).
select table_name
from information_schema.tables
where table_schema = 'main' and table_type in ('BASE TABLE', 'VIEW')
order by table_name
