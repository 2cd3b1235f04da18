-- The registry's accommodation totals (places, rooms, beds) for a database without published statistics.
with final as (
    select
        count(*)::bigint as registry_places,
        coalesce(sum(rooms), 0)::bigint as registry_rooms,
        coalesce(sum(coalesce(capacity, rooms * 2)), 0)::bigint as registry_beds
    from places
    where layer = 'accommodation'
)

select * from final
