-- Segment of each device (step 1 of both engines): one group-by over the pings, kept apart from the
-- sort so the sort stays narrow. If a feed carries several segments for one device, the first by name
-- is used.
create or replace temp table device_segments as
select
    device,
    min(segment) as segment
from {{pings}}
group by device
