-- The H3 cells of a drawn area: every cell whose centre lies inside the polygon $area_wkt (WKT, WGS84 lon/lat,
-- validated in Python by geo.services.area.check_area and always bound, never written into this text).
with area as (
    select ST_GeomFromText($area_wkt) as geom
),

final as (
    select c.cell, c.zone_id, c.lat, c.lon
    from cells as c
    cross join area as a
    where ST_Contains(a.geom, ST_Point(c.lon, c.lat))
)

select * from final
order by cell
