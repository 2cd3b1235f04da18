-- Add (or replace) one event of the calendar.
insert or replace into events (event_id, name, start_day, end_day, zones, applies_to, source, note, added_at)
values ($event_id, $name, $start_day, $end_day, $zones, $applies_to, $source, $note, $added_at)
