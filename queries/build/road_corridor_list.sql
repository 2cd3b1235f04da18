-- The corridors the road loads route: every zone -> zone corridor with trips, and the $top_places busiest
-- place -> place corridors over the whole period (origin <> destination), with their trips.
with totals as (
    select level, origin, destination, sum(trips)::bigint as trips
    from od_daily
    where origin <> destination
    group by level, origin, destination
),
ranked as (
    select *, row_number() over (partition by level order by trips desc, origin, destination) as rank
    from totals
),
final as (
    select level, origin, destination, trips
    from ranked
    where level = 'zone' or rank <= $top_places
)
select * from final
order by level, origin, destination
