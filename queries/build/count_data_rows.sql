-- Row count of one of the coded tables behind the pipeline's outputs (allow-listed identifier).
select count(*) as n
from {{data_table}}
