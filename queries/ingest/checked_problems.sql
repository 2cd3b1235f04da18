-- The first $limit problem rows of a checked telecom import, in file order (the report's per-row list).
select row, field, action, reason
from pings_checked
where action is not null
order by row
limit $limit
