-- The rows of a CSV pings import numbered as the file's lines (the header is line 1, so the first data row
-- is line 2; geo/ingest/telecom.py check_pings). A CSV has no per-file row number to read, so this one
-- window numbers the stream in order: the check's single-threaded part for CSV.
create or replace temp view pings_numbered as
select
    row_number() over () + 1 as row,   -- line in the file
    cast(null as varchar) as file,     -- one file
    device,
    ts,
    lat,
    lon,
    segment
from pings_source
