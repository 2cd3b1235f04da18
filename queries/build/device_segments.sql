-- The device -> segment lookup (create_device_segments.sql) in device order, for the stream engine.
select
    device,
    segment
from device_segments
order by device
