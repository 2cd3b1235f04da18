-- Rows of Parquet files written or read by `geo aggregate` ($files: a glob; hive partition folders allowed).
select count(*) as n
from read_parquet($files, hive_partitioning = true)
