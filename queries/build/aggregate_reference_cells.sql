-- The cell -> zone lookup of an atlas database (the cells table) as the frame build/insert_cells.sql reads
-- (cells_frame: hexagon as WKB), for `geo aggregate`: broadcast to every pipeline partition.
select
    cell,                    -- H3 index
    resolution,
    lon,                     -- cell centre
    lat,
    st_aswkb(geom) as wkb,   -- hexagon, EPSG:4326
    zone_id                  -- tourism zone holding the cell centre
from cells
order by cell
