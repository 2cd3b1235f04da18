-- Trip totals for the filters: between different origins and destinations, within one, and corridor count.
with filtered as (
    select od.origin, od.destination, sum(od.trips)::bigint as trips
    from od_daily as od
    where od.level = $level
      and od.day between $start and $end
      and list_contains($weekdays, isodow(od.day) - 1)
      and list_contains($segments, od.segment_group)
    group by od.origin, od.destination
),
final as (
    select
        coalesce(sum(trips) filter (where origin <> destination), 0)::bigint as corridor_trips,
        coalesce(sum(trips) filter (where origin = destination), 0)::bigint as internal_trips,
        count(*) filter (where origin <> destination)::bigint as corridors
    from filtered
)
select * from final
