-- Every segment the pings carry (out-of-core runs: the labels are made once, before the first device
-- partition, so every partition writes the same codes). A device with several segments is counted under
-- the first by name (create_device_segments.sql); its other segments still get a label here.
select distinct segment
from pings
where segment is not null
order by segment
