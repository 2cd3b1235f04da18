-- Store the forecast rows computed in Python (registered as forecast_rows).
insert into forecast_weekly (zone_id, kind, week_start, visitors, lower, upper, actual)
select zone_id, kind, week_start, visitors, lower, upper, actual
from forecast_rows
