-- One event of the calendar by id (no row when unknown).
select event_id, name, start_day, end_day, zones, applies_to, source, note
from events
where event_id = $event_id
