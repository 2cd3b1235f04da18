-- The events officials added (carried into a rebuilt database; the calendar's own rows come from the seed).
select event_id, name, start_day, end_day, zones, applies_to, source, note, added_at
from events
where source = 'official'
order by start_day, event_id
