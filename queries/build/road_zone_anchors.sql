-- Tourism zones with their outline (WKB) and the point the corridor map draws them at (point on surface):
-- a zone's road anchor is the network node inside the zone nearest that point (geo/build/roads.py).
select
    zone_id,
    st_aswkb(geom) as wkb,
    st_x(st_pointonsurface(geom)) as lon,
    st_y(st_pointonsurface(geom)) as lat
from zones
where level = 'tourism_zone'
order by zone_id
