-- First and last day with visitor presence data.
select min(ts_hour)::date as first_day, max(ts_hour)::date as last_day
from visits_hourly
