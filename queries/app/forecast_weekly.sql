-- The forecast table the build wrote: every zone's (and the city's, 'all') weekly visitors per day.
select zone_id, kind, week_start, visitors, lower, upper, actual
from forecast_weekly
order by zone_id, kind, week_start
