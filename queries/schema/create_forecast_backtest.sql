-- The forecast's backtest per zone: fitted on all but the last weeks, compared with those held-out weeks.
create or replace table forecast_backtest (
    zone_id varchar not null,        -- tourism zone id or 'all'
    weeks integer not null,          -- held-out weeks compared
    mape double,                     -- mean absolute percentage error over weeks with visitors (0.1 = 10%)
    mae double not null,             -- mean absolute error, visitors per day
    coverage double not null         -- share of held-out weeks inside the 80% interval
)
