-- Tables present in the main schema of the open database, by name.
select table_name
from information_schema.tables
where table_schema = 'main' and table_type = 'BASE TABLE'
order by table_name
