-- atlas_parse_time(text) -> timestamp or null: the local date-times telecom files carry.
-- Accepts ISO (2024-03-01 08:00[:00], with T), day-first (01/03/2024 08:00[:00]), Thai month names, full or
-- abbreviated (1 มี.ค. 2567 08:00), and Buddhist-era years (a four-digit year from 2400 is read as BE and
-- 543 is subtracted before parsing, so 29 Feb 2567 is 29 Feb 2024). A date alone means midnight.
-- Plain expression macros (no subquery), so they run vectorised; ISO text in the Common Era takes a plain cast
-- (the slow path with the Thai month names and the era runs only on what the cast cannot read).
create or replace temp macro atlas_parse_time(t) as case
    when year(try_cast(t as timestamp)) < 2400 then try_cast(t as timestamp)
    else atlas_parse_time_slow(t)
end
