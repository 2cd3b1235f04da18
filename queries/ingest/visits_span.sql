-- What the accepted rows of a checked presence import hold: their hours, visitor-hours and segments.
select
    min(ts_hour) as first_hour,
    max(ts_hour) as last_hour,
    cast(coalesce(sum(visitors), 0) as bigint) as visitor_hours,
    count(distinct segment) as segments
from aggregate_checked
where action is distinct from 'rejected'
