-- The project's tourism zones: the lookup is cells.zone_id itself (bound as $level = 'tourism_zone'),
-- the zone every tourism-zone rollup already used, so figures by level agree with them exactly.
insert into cell_zones (level, cell, zone_id)
select $level as level, c.cell, c.zone_id
from cells as c
