-- The expansion weights the rollups multiply by (est_people). geo.build.estimates.refresh_weights writes them
-- before the rollups run; this statement only guarantees the table exists when rollups run without that step
-- (flows loaded some other way), in which case every weight is missing and est_people equals the observed count.
create table if not exists expansion_weights (
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
