-- Load the accepted rows of one device partition of a checked pings import into the pings table
-- (geo/ingest/telecom.py runs it for each partition in turn, reading only that partition's bucket folders
-- of the checked rows, so the table is stored clustered by device partition and the pipeline's scan of one
-- partition skips the others' row groups). Devices are salted hashes: partition p of P holds the ids from $lo
-- to $hi (geo.build.pipeline.partition_bounds); $first_bucket..$last_bucket are the bucket folders holding them.
insert into pings (device, ts, lon, lat, segment)
select device, ts, lon, lat, segment
from pings_checked
where action is distinct from 'rejected'
    and bucket between $first_bucket and $last_bucket
    and device between $lo and $hi
