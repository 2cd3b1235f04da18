-- Benchmark baseline (stricter variant): a bare count(*) per cell × hour × segment over the coded
-- stays_data table itself, each stay counted in the hour it starts (no expansion), materialised.
create or replace temp table bench_groupby as
with final as (
    select
        cell,
        date_trunc('hour', stay_start) as ts_hour,
        segment_code,
        count(*) as n
    from stays_data
    group by cell, date_trunc('hour', stay_start), segment_code
)

select cell, ts_hour, segment_code, n from final
