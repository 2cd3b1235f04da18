-- Benchmark baseline for visits_hourly: a bare count(*) per cell × hour × segment over the same input
-- rows (the coded stays_data visits_hourly is computed from, every stay expanded into the local hours
-- it overlaps, as visits_hourly does), materialised.
-- No unique-device logic, no dwell minutes, no visitor type: what any hourly count must do at least.
create or replace temp table bench_groupby as
with hours as (
    select
        cell,
        segment_code,
        unnest(generate_series(
            date_trunc('hour', stay_start),
            date_trunc('hour', stay_end - interval 1 microsecond),
            interval 1 hour
        )) as ts_hour
    from stays_data
),

final as (
    select
        cell,
        ts_hour,
        segment_code,
        count(*) as n
    from hours
    group by cell, ts_hour, segment_code
)

select cell, ts_hour, segment_code, n from final
