-- The event calendar the Events page compares against a baseline: the festivals of data/seed/calendar.csv
-- (source 'calendar', one row per festival window) and the events officials add (source 'official',
-- `python -m geo event add` or the Events page; carried into a rebuilt database). Dates are local days,
-- both inclusive. zones: the tourism zones the event is held in (empty = city-wide).
create table if not exists events (
    event_id varchar primary key,        -- stable id: start date + name slug
    name varchar not null,               -- shown name, e.g. 'Songkran 2026'
    start_day date not null,             -- first local day of the event
    end_day date not null,               -- last local day of the event (inclusive)
    zones varchar[] not null,            -- zone_ids where it is held; [] = city-wide
    applies_to varchar not null,         -- who the calendar says travels for it: all | domestic | international:CN ...
    source varchar not null,             -- calendar | official
    note varchar,                        -- the calendar's description, or what the official wrote
    added_at timestamp not null          -- UTC time the row was written
)
