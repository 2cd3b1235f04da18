-- Totals of a checked aggregated import (aggregate_checked: visits_checked.sql or trips_checked.sql): rows
-- read, accepted (not rejected), repaired, rejected, warnings.
select
    count(*) as rows_read,
    count(*) filter (where action is distinct from 'rejected') as accepted,
    count(*) filter (where action = 'repaired') as repaired,
    count(*) filter (where action = 'rejected') as rejected,
    count(*) filter (where action = 'warning') as warnings
from aggregate_checked
