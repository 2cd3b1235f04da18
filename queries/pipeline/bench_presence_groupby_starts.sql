-- Benchmark baseline (stricter variant): a bare count(*) per cell × hour × segment over the stays
-- table itself, each stay counted in the hour it starts (no expansion into hours), materialised.
create or replace temp table bench_groupby as
with final as (
    select
        cell,
        date_trunc('hour', stay_start) as ts_hour,
        segment,
        count(*) as n
    from stays
    group by cell, date_trunc('hour', stay_start), segment
)

select cell, ts_hour, segment, n from final
