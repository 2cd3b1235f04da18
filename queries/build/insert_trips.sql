-- Trips (step 5). Zone level: consecutive stays of a device in different zones (stays outside every
-- zone skipped; moves inside a zone are not trips). Place level: consecutive place visits of a
-- device at different places (stays at no place skipped). The day is the local date of leaving the
-- origin, so a move from 23:50 to 00:20 counts on the first day.
--
-- Method: one window over the coded stays (stays_data, by device in time) serves both levels. A place
-- visit is a chain of consecutive stays at one place, so consecutive visits at different places are
-- exactly consecutive stays at a place (stays at no place skipped) at different places, and the
-- previous visit ends when its last stay does: place moves need no place_visits. A move carries the
-- destination stay's segment and visitor type (both are per device in stays, so the same as its
-- visit's). Zones, places, segments and visitor types are integer codes throughout (labels table;
-- level 0 = zone, 1 = place), so the sort and the group-by are on numbers.
insert into trips_data (day, level_code, origin_code, destination_code, segment_code, visitor_type_code, trips)
with linked as (
    select
        zone_code,
        place_code,
        segment_code,
        visitor_type_code,
        lag(zone_code ignore nulls) over w as prev_zone,                                          -- previous stay in a zone
        lag(case when zone_code is not null then stay_end end ignore nulls) over w as left_zone_at,
        lag(place_code ignore nulls) over w as prev_place,                                        -- previous stay at a place
        lag(case when place_code is not null then stay_end end ignore nulls) over w as left_place_at
    from stays_data
    window w as (partition by device order by stay_start)
),

moves as (
    select
        cast(left_zone_at as date) as day,
        0 as level_code,
        prev_zone as origin_code,
        zone_code as destination_code,
        segment_code,
        visitor_type_code
    from linked
    where prev_zone <> zone_code
    union all
    select
        cast(left_place_at as date) as day,
        1 as level_code,
        prev_place as origin_code,
        place_code as destination_code,
        segment_code,
        visitor_type_code
    from linked
    where prev_place <> place_code
),

final as (
    select
        day,
        cast(level_code as tinyint) as level_code,
        origin_code,
        destination_code,
        segment_code,
        visitor_type_code,
        cast(count(*) as integer) as trips
    from moves
    group by day, level_code, origin_code, destination_code, segment_code, visitor_type_code
)

select * from final
