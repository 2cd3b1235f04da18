-- The rows of a pings import numbered in one stream, in the order they are read (geo/ingest/telecom.py
-- check_pings): a CSV's lines (header_lines = 1: the header is line 1, so the first data row is line 2),
-- or a Parquet feed's rows (header_lines = 0) where its own columns take the names DuckDB would give each
-- file's row number. A CSV has no per-file row number to read, so this one window numbers the stream:
-- the check's single-threaded part.
create or replace temp view pings_numbered as
select
    row_number() over () + header_lines as row,
    cast(null as varchar) as file,
    device,
    ts,
    lat,
    lon,
    segment
from pings_source
