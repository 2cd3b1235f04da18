-- Data-quality figures for places, zones and cells (always available).
with place_figures as (
    select
        count(*)::bigint as places,
        count(*) filter (where zone_id is null)::bigint as places_without_zone,
        count(*) filter (where layer = 'accommodation')::bigint as accommodations,
        count(*) filter (where layer = 'accommodation' and estimated)::bigint as accommodations_estimated,
        count(*) filter (where layer = 'accommodation' and rooms is null)::bigint as accommodations_without_rooms,
        count(*) filter (where layer = 'attraction' and open_hour is null)::bigint as attractions_always_open
    from places
),
zone_figures as (
    select count(*)::bigint as zones, count(*) filter (where approximate)::bigint as zones_approximate
    from zones
),
cell_figures as (
    select count(*)::bigint as cells
    from cells
),
final as (
    select p.*, z.*, c.*
    from place_figures as p
    cross join zone_figures as z
    cross join cell_figures as c
)
select * from final
