-- Cells with a zone of level $level in the cell -> zone lookup (0 when the level's lookup is not built).
select count(*)::bigint as cells
from cell_zones
where level = $level
