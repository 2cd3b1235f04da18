-- Pings loaded for `geo aggregate` (its rate is reported per ping).
select count(*) as n
from pings
