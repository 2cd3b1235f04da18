-- Store the backtest errors computed in Python (registered as backtest_rows).
insert into forecast_backtest (zone_id, weeks, mape, mae, coverage)
select zone_id, weeks, mape, mae, coverage
from backtest_rows
