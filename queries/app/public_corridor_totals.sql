-- Public corridor totals for a month range: trips over every published corridor row and the corridors shown.
with filtered as (
    select pc.origin, pc.destination, sum(pc.trips)::bigint as trips, sum(pc.est_trips)::double as est_trips
    from pub_corridors as pc
    where pc.month_start between $first_month and $last_month
    group by pc.origin, pc.destination
),

final as (
    select
        coalesce(sum(trips), 0)::bigint as corridor_trips,
        count(*)::bigint as corridors,
        coalesce(sum(est_trips), 0)::double as est_corridor_trips  -- ESTIMATE: trips × the pooled weights
    from filtered
)

select corridor_trips, corridors, est_corridor_trips from final
