-- H3 cell centres with their zone: where simulated residents live and work.
select
    cell,
    lon,                  -- cell centre, WGS84 degrees
    lat,
    zone_id
from cells
order by cell
