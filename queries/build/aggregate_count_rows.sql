-- Rows of one output table written by `geo aggregate` ($files: a glob of its Parquet files).
select count(*) as n
from read_parquet($files, hive_partitioning = true)
