-- --replace for zones: remove the level's boundaries (the project's tourism zones are never a target).
delete from zones
where level = $level
