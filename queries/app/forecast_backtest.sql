-- The forecast's backtest error per zone (held-out last weeks).
select zone_id, weeks, mape, mae, coverage
from forecast_backtest
order by zone_id
