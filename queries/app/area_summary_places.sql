-- The places inside a drawn area (their point inside $area_wkt), with rooms and beds for accommodation
-- (beds = capacity, else rooms x 2, as in capacity_supply_demand).
with area as (
    select ST_GeomFromText($area_wkt) as geom
),

final as (
    select
        p.place_id, p.layer, p.category, p.name_en, p.name_th, p.lon, p.lat, p.zone_id,
        case when p.layer = 'accommodation' then p.rooms end as rooms,                              -- rooms
        case when p.layer = 'accommodation' then coalesce(p.capacity, p.rooms * 2) end as beds,     -- guests
        p.price_band,
        p.estimated
    from places as p
    cross join area as a
    where ST_Contains(a.geom, ST_Point(p.lon, p.lat))
)

select * from final
order by layer, category, name_en, place_id
