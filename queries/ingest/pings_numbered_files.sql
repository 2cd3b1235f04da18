-- The rows of a Parquet pings import numbered within their own file (geo/ingest/telecom.py check_pings):
-- DuckDB reads each file's row number with the rows (file_row, 0-based), so the files are checked in
-- parallel (a row_number() over the whole feed streams on one thread: half the speed, docs/benchmarks.md)
-- and a problem in a folder of files names the file and the row an operator finds in it.
create or replace temp view pings_numbered as
select
    file_row + 1 as row,            -- 1-based row within the file
    cast(file as varchar) as file,  -- the file's path for a folder of files, null for one file
    device,
    ts,
    lat,
    lon,
    segment
from pings_source
