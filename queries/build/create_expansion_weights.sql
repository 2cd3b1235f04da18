-- Expansion weights per segment group and month with their inputs (a registered frame, weight_rows; see
-- geo/build/estimates.py). Rollups multiply observed counts by weight to give est_people.
create or replace table expansion_weights as
with final as (
    select
        segment_group::varchar as segment_group,   -- domestic | international | resident
        month_start::date as month_start,          -- first day of the local month
        devices::bigint as devices,                -- distinct devices observed in the month
        coverage::double as coverage,              -- share of the month's days with data, 0..1
        published::double as published,            -- published visitors of the month x coverage (null: none)
        weight::double as weight,                  -- people per observed device
        method::varchar as method,                 -- annual_fit | market_share | population | observed
        fit_published::double as fit_published,    -- published total the weight was fitted to
        fit_devices::bigint as fit_devices,        -- observed devices it was fitted to
        market_share::double as market_share       -- operator market share used (market_share method)
    from weight_rows
)

select * from final
order by segment_group, month_start
