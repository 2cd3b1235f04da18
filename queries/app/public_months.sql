-- Months of the published file with presence data (the public month range's choices), with their days.
select month_start, cast(sum(days) as integer) as days
from pub_calendar
group by month_start
order by month_start
