-- Append one chunk of pings from the registered Arrow table pings_chunk (geo/simulate.py or an import).
insert into pings (device, ts, lon, lat, segment)
select
    device,
    ts,
    lon,
    lat,
    cast(segment as varchar) as segment
from pings_chunk
