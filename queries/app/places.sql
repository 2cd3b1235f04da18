-- Places for the map and lists, optionally limited to layers and categories (empty list = all).
with final as (
    select
        p.place_id, p.layer, p.category, p.name_en, p.name_th, p.name_zh, p.lat, p.lon, p.zone_id,
        z.name_en as zone_name, z.name_th as zone_name_th, z.name_zh as zone_name_zh, p.rooms, p.capacity, p.price_band, p.estimated,
        p.open_hour, p.close_hour, p.source
    from places as p
    left join zones as z on z.zone_id = p.zone_id
    where (len($layers) = 0 or list_contains($layers, p.layer))
      and (len($categories) = 0 or list_contains($categories, p.category))
)
select * from final
order by layer, category, name_en
