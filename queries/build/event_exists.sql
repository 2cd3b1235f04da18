-- Whether an event with this id is in the calendar already.
select count(*) > 0 as present
from events
where event_id = $event_id
