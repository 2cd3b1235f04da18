-- Places whose English or Thai name matches $pattern (ILIKE, backslash escapes), limited to layers/categories (empty = all).
with final as (
    select
        p.place_id, p.layer, p.category, p.name_en, p.name_th, p.name_zh, p.lat, p.lon, p.zone_id,
        z.name_en as zone_name, p.rooms, p.capacity, p.price_band, p.estimated, p.open_hour, p.close_hour
    from places as p
    left join zones as z on z.zone_id = p.zone_id
    where (p.name_en ilike $pattern escape '\' or p.name_th ilike $pattern escape '\')
      and (len($layers) = 0 or list_contains($layers, p.layer))
      and (len($categories) = 0 or list_contains($categories, p.category))
)
select * from final
order by name_en, place_id
