-- Trip totals for the filters: between different origins and destinations, within one, and corridor count.
with filtered as (
    -- trips per origin -> destination for the filters (the macro of rollups/21_od_filtered.sql, shared
    -- with movement_corridors.sql)
    select origin, destination, trips, est_people
    from od_filtered($level, $start, $end, $weekdays, $segments)
),
final as (
    select
        coalesce(sum(trips) filter (where origin <> destination), 0)::bigint as corridor_trips,
        coalesce(sum(trips) filter (where origin = destination), 0)::bigint as internal_trips,
        count(*) filter (where origin <> destination)::bigint as corridors,
        coalesce(sum(est_people) filter (where origin <> destination), 0) as est_corridor_trips  -- ESTIMATE
    from filtered
)
select * from final
