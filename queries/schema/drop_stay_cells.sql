-- Drop the stay cell lookup scratch table.
drop table if exists stay_cells
