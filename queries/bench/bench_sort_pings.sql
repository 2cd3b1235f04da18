-- Benchmark baseline: one bare sort of every pings column by device and time, materialised.
-- `select *` on purpose: the baseline must carry whatever columns the pipeline reads from pings.
create or replace temp table bench_sorted as
with final as (
    select * from pings
    order by device, ts
)

select * from final
