-- Every H3 cell of the atlas for the published file (geography: centre, hexagon as WKB, tourism zone).
select cell, resolution, lon, lat, st_aswkb(geom) as geom_wkb, zone_id
from cells
order by cell
