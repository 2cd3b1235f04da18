-- Forget one level's cell -> zone lookup before it is filled again (geo/build/zonelevels.py).
delete from cell_zones
where level = $level
