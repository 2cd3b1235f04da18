-- Benchmark baseline, out-of-core runs: one bare sort of every pings column of one device partition
-- (registered relation pings_partition, geo.build.pipeline.partition_relation) by device and time,
-- materialised. bench/run.py sorts every partition in turn, as the pipeline works through them.
create or replace temp table bench_sorted as
with final as (
    select * from pings_partition
    order by device, ts
)

select * from final
