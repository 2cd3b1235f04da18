-- One place with its zone name and H3 cell.
with final as (
    select
        p.place_id, p.layer, p.category, p.name_en, p.name_th, p.lat, p.lon, p.cell, p.zone_id,
        z.name_en as zone_name, z.name_th as zone_name_th, p.rooms, p.capacity, p.price_band, p.estimated,
        p.open_hour, p.close_hour, p.source
    from places as p
    left join zones as z on z.zone_id = p.zone_id
    where p.place_id = $place_id
)
select * from final
