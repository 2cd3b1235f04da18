-- Zone ids already loaded at any level (zone_id is the table's key).
select zone_id, level from zones
