-- Benchmark cleanup: drop the bare group-by baseline table.
drop table if exists bench_groupby
