-- Remove one event an official added (the calendar's festivals come from the seed and stay).
delete from events
where event_id = $event_id and source = 'official'
returning event_id
