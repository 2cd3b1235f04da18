-- The forecast the build fits (geo/build/forecast.py): per tourism zone and the whole city ('all'), week by
-- week, visitors per day (the week's mean of people-days) with an 80% prediction interval.
-- kind: 'history' (observed weeks), 'forecast' (the next weeks), 'backtest' (the held-out last weeks,
-- forecast from the weeks before them). Replaced on every rollup run.
create or replace table forecast_weekly (
    zone_id varchar not null,        -- tourism zone id or 'all'
    kind varchar not null,           -- history | forecast | backtest
    week_start date not null,        -- first local day of the 7-day week
    visitors double not null,        -- visitors per day: observed (history) or forecast mean
    lower double,                    -- 80% prediction interval, lower bound (null for history)
    upper double,                    -- 80% prediction interval, upper bound (null for history)
    actual double                    -- backtest: the observed value of that held-out week
)
