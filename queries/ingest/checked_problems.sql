-- The first $limit problem rows of a checked telecom import, in file order (the report's per-row list;
-- a folder's files by path).
select row, file, field, action, reason
from pings_checked
where action is not null
order by file nulls first, row
limit $limit
