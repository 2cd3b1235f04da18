-- An empty expansion_weights table (no weights: every rollup's est_people equals its observed count).
-- geo.build.estimates.refresh_weights writes it when there is nothing to fit (no stays); test fixtures that run
-- rollup files without the fitting step create it the same way. The filled table: build/create_expansion_weights.
create or replace table expansion_weights (
    segment_group varchar,     -- domestic | international | resident
    month_start date,          -- first day of the local month
    devices bigint,            -- distinct devices observed in the month
    coverage double,           -- share of the month's days with data
    published double,          -- published visitors of the month x coverage
    weight double,             -- people per observed device
    method varchar,            -- annual_fit | market_share | population | observed
    fit_published double,      -- published total the weight was fitted to
    fit_devices bigint,        -- observed devices it was fitted to
    market_share double        -- operator market share used
)
