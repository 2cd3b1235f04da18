-- Rows and trips in trips_data (checked against the accepted rows after a trips import).
select count(*) as rows, cast(coalesce(sum(trips), 0) as bigint) as trips
from trips_data
