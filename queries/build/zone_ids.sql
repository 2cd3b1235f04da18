-- The tourism zones' ids (an event's zones must be among them).
select zone_id
from zones
where level = 'tourism_zone'
order by zone_id
