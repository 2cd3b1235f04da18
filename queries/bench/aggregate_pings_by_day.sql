-- The pings with their local day, for bench/aggregate.py to write as day-partitioned Parquet (the input
-- `geo aggregate` reads).
select
    device,
    ts,
    lon,
    lat,
    segment,
    cast(ts as date) as day
from pings
