-- The published accommodation supply (rooms by area, the persons-per-room convention) beside what the
-- registry of places lists (accommodation places, rooms, beds): the pressure index scales the one to the other.
with published as (
    select
        area,                                                  -- province | a district (zone name or id)
        max(value) filter (where measure = 'rooms') as rooms,  -- published rooms (total stock)
        max(value) filter (where measure = 'rooms_hotels') as rooms_hotels,  -- hotels' rooms (lower bound)
        max(value) filter (where measure = 'persons_per_room') as persons_per_room,
        max(source) filter (where measure = 'rooms') as rooms_source,
        max(source) filter (where measure = 'rooms_hotels') as rooms_hotels_source
    from published_stats
    where measure in ('rooms', 'rooms_hotels', 'persons_per_room') and month is null
    group by area
),

registry as (
    select
        count(*)::bigint as registry_places,                                        -- accommodation places
        coalesce(sum(rooms), 0)::bigint as registry_rooms,                          -- their rooms
        coalesce(sum(coalesce(capacity, rooms * 2)), 0)::bigint as registry_beds    -- capacity, else rooms x 2
    from places
    where layer = 'accommodation'
),

final as (
    select
        p.area, p.rooms, p.rooms_hotels, p.persons_per_room, p.rooms_source, p.rooms_hotels_source,
        r.registry_places, r.registry_rooms, r.registry_beds
    from registry as r
    left join published as p on true
)

select * from final
order by area
