-- Cell -> zone lookup per zone level (geo/build/zonelevels.py): every cell of `cells` whose centre lies in
-- a zone of that level. Summaries by any level join the cell-keyed rollups here, so a newly loaded level
-- needs no pipeline or rollup re-run. `if not exists`: refreshing a level also works on a database built
-- before the lookup existed.
create table if not exists cell_zones (
    level varchar not null,           -- zone level (zones.level): tourism_zone, district, ...
    cell ubigint not null,            -- H3 cell (cells.cell)
    zone_id varchar not null,         -- the zone of that level holding the cell centre
    primary key (level, cell)
)
