-- Rows and visitor-hours in visits_hourly_data (checked against the accepted rows after a presence import).
select count(*) as rows, cast(coalesce(sum(visitors), 0) as bigint) as visitors
from visits_hourly_data
