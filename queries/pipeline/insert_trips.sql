-- Trips (step 5). Zone level: consecutive stays of a device in different zones (stays outside every
-- zone skipped; moves inside a zone are not trips). Place level: consecutive place visits of a
-- device at different places (stays at no place skipped). The day is the local date of leaving the
-- origin, so a move from 23:50 to 00:20 counts on the first day.
--
-- Method: one window over the stays (by device, in time) serves both levels. A place visit is a chain
-- of consecutive stays at one place, so consecutive visits at different places are exactly consecutive
-- stays at a place (stays at no place skipped) at different places, and the previous visit ends when
-- its last stay does: place moves need no place_visits. A move carries the destination stay's segment
-- and visitor type (both are per device in stays, so the same as its visit's). Zones, places and
-- (segment, visitor type) are small integer codes while sorting and grouping; names are joined back
-- on the counted rows.
insert into trips (day, level, origin, destination, segment, visitor_type, trips)
with spots as (
    -- zone and place ids, one code each (a zone and a place with the same id share it: the level tells)
    select
        spot_id,
        cast(row_number() over (order by spot_id) as integer) as spot
    from (
        select zone_id as spot_id from stays where zone_id is not null
        union
        select place_id as spot_id from stays where place_id is not null
    )
),

kinds as (
    select
        segment,
        visitor_type,
        cast(row_number() over (order by segment, visitor_type) as integer) as kind
    from (select distinct segment, visitor_type from stays)
),

coded as (
    select
        s.device,
        s.stay_start,
        s.stay_end,
        k.kind,
        z.spot as zone,
        p.spot as place
    from stays as s
    inner join kinds as k on k.segment = s.segment and k.visitor_type = s.visitor_type
    left join spots as z on z.spot_id = s.zone_id
    left join spots as p on p.spot_id = s.place_id
),

linked as (
    select
        kind,
        zone,
        place,
        lag(zone ignore nulls) over w as prev_zone,                                          -- previous stay in a zone
        lag(case when zone is not null then stay_end end ignore nulls) over w as left_zone_at,
        lag(place ignore nulls) over w as prev_place,                                        -- previous stay at a place
        lag(case when place is not null then stay_end end ignore nulls) over w as left_place_at
    from coded
    window w as (partition by device order by stay_start)
),

moves as (
    select cast(left_zone_at as date) as day, 0 as is_place, prev_zone as origin, zone as destination, kind
    from linked
    where prev_zone <> zone
    union all
    select cast(left_place_at as date) as day, 1 as is_place, prev_place as origin, place as destination, kind
    from linked
    where prev_place <> place
),

counted as (
    select
        day,
        is_place,
        origin,
        destination,
        kind,
        count(*) as trips
    from moves
    group by day, is_place, origin, destination, kind
),

final as (
    select
        c.day,
        case when c.is_place = 1 then 'place' else 'zone' end as level,
        o.spot_id as origin,
        d.spot_id as destination,
        k.segment,
        k.visitor_type,
        cast(c.trips as integer) as trips
    from counted as c
    inner join spots as o on o.spot = c.origin
    inner join spots as d on d.spot = c.destination
    inner join kinds as k on k.kind = c.kind
)

select * from final
