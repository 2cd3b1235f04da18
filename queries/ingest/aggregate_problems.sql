-- The first $limit problem rows of a checked aggregated import, in file order (the report's per-row list).
select row, field, action, reason
from aggregate_checked
where action is not null
order by row
limit $limit
