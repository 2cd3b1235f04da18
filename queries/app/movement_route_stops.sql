-- Coordinates, names and opening hours of the places of an itinerary, in the order given ($place_ids;
-- unknown ids are absent).
with final as (
    select
        list_position($place_ids, p.place_id) as stop_order,
        p.place_id, p.name_en, p.name_th, p.category, p.lon, p.lat, p.open_hour, p.close_hour
    from places as p
    where list_contains($place_ids, p.place_id)
)
select * from final
order by stop_order
