-- Load validated places (registered DataFrame places_frame; the seed and the importer); zone = the project's
-- tourism zone containing the place (other zone levels are reached through cell_zones).
insert into places (
    place_id, layer, category, name_en, name_th, name_zh, lon, lat, geom, cell, zone_id,
    rooms, capacity, price_band, estimated, open_hour, close_hour, source
)
with src as (
    select *, st_point(lon, lat) as pt from places_frame
),
final as (
    select
        src.place_id, src.layer, src.category, src.name_en, src.name_th, src.name_zh, src.lon, src.lat, src.pt as geom,
        src.cell,
        (select z.zone_id from zones as z where z.level = 'tourism_zone' and st_contains(z.geom, src.pt) order by z.zone_id limit 1) as zone_id,
        src.rooms, src.capacity, src.price_band, src.estimated, src.open_hour, src.close_hour, src.source
    from src
)
select * from final
