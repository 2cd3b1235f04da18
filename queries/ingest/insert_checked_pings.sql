-- Load the accepted rows of a checked pings import into the (freshly created, empty) pings table.
insert into pings (device, ts, lon, lat, segment)
select device, ts, lon, lat, segment
from pings_checked
where action is distinct from 'rejected'
