-- What the accepted rows of a checked trips import hold: their days and trips.
select
    min(day) as first_day,
    max(day) as last_day,
    cast(coalesce(sum(trips), 0) as bigint) as trips
from aggregate_checked
where action is distinct from 'rejected'
