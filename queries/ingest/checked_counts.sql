-- Totals of a checked telecom import (pings_checked): rows read, accepted (not rejected), repaired, rejected,
-- warnings; and the accepted rows' time span.
select
    count(*) as rows_read,
    count(*) filter (where action is distinct from 'rejected') as accepted,
    count(*) filter (where action = 'repaired') as repaired,
    count(*) filter (where action = 'rejected') as rejected,
    count(*) filter (where action = 'warning') as warnings,
    min(ts) filter (where action is distinct from 'rejected') as first_ts,
    max(ts) filter (where action is distinct from 'rejected') as last_ts,
    count(distinct device) filter (where action is distinct from 'rejected') as devices
from pings_checked
