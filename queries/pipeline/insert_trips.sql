-- Trips (step 5). Zone level: consecutive stays of a device in different zones (stays outside every
-- zone skipped; moves inside a zone are not trips). Place level: consecutive place visits of a
-- device at different places (stays at no place skipped). The day is the local date of leaving the
-- origin, so a move from 23:50 to 00:20 counts on the first day.
insert into trips (day, level, origin, destination, segment, visitor_type, trips)
with zone_moves as (
    select
        segment,
        visitor_type,
        lag(zone_id) over w as origin,
        zone_id as destination,
        lag(stay_end) over w as left_at
    from stays
    where zone_id is not null
    window w as (partition by device order by stay_start)
),

place_moves as (
    select
        segment,
        visitor_type,
        lag(place_id) over w as origin,
        place_id as destination,
        lag(visit_end) over w as left_at
    from place_visits
    window w as (partition by device order by visit_start)
),

moves as (
    select cast(left_at as date) as day, 'zone' as level, origin, destination, segment, visitor_type
    from zone_moves
    where origin <> destination
    union all
    select cast(left_at as date) as day, 'place' as level, origin, destination, segment, visitor_type
    from place_moves
    where origin <> destination
),

final as (
    select
        day,
        level,
        origin,
        destination,
        segment,
        visitor_type,
        cast(count(*) as integer) as trips
    from moves
    group by day, level, origin, destination, segment, visitor_type
)

select * from final
