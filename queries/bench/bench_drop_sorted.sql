-- Benchmark cleanup: drop the bare-sort baseline table.
drop table if exists bench_sorted
