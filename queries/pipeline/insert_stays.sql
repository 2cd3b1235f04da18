-- Stays with their H3 cell, zone, nearest place and visitor type (step 2 of the pipeline).
--
-- Nearest place: every place within $place_radius_m metres of the stay centre is a candidate (found
-- through a square grid of 1.1 × the radius, each place copied into its square and the eight around
-- it) and open at some moment of the stay (open_hour/close_hour; places without hours are always
-- open); the nearest wins, distances compared at 0.1 m, ties to the smallest place_id.
-- Home stays: a resident's stay spanning $night_hour:00 is at home and is not matched to a place.
-- Visitor type, per device: 'resident' for segment resident; 'overnight' when one of its stays
-- spans $night_hour:00 local time (starts before it and ends at or after it), i.e. the device slept
-- in the area; otherwise 'day_tripper'.
insert into stays (
    device, stay_start, stay_end, lon, lat, cell, zone_id, place_id, place_distance_m,
    segment, visitor_type, n_pings, dwell_minutes
)
with candidates as (
    select
        device,
        stay_start,
        stay_end,
        lon,
        lat,
        segment,
        n_pings,
        dwell_minutes,
        round(lat, 4) as lat4,
        round(lon, 4) as lon4,
        cast(stay_start - to_hours(cast($night_hour as bigint)) as date)
            < cast(stay_end - to_hours(cast($night_hour as bigint)) as date) as spans_night,
        (epoch_ms(stay_start) - epoch_ms(date_trunc('day', stay_start))) / 3600000.0 as start_h,  -- hour of day, fractional
        cast(floor(radians(lon - $ref_lon) * 6371008.8 * cos(radians($ref_lat)) / ($place_radius_m * 1.1)) as bigint) as gx,
        cast(floor(radians(lat - $ref_lat) * 6371008.8 / ($place_radius_m * 1.1)) as bigint) as gy
    from stay_candidates
),

place_squares as (
    select
        place_id,
        lon,
        lat,
        cast(open_hour as double) as open_h,                                   -- local hour
        cast(case when close_hour > open_hour then close_hour else close_hour + 24 end as double) as close_h,
        dense_rank() over (order by place_id) as place_rank,                   -- place_id order, as a number
        cast(floor(radians(lon - $ref_lon) * 6371008.8 * cos(radians($ref_lat)) / ($place_radius_m * 1.1)) as bigint) as gx,
        cast(floor(radians(lat - $ref_lat) * 6371008.8 / ($place_radius_m * 1.1)) as bigint) as gy
    from places
),

place_grid as (
    select
        p.place_id,
        p.lon,
        p.lat,
        p.open_h,
        p.close_h,
        p.place_rank,
        p.gx + dx.range as gx,
        p.gy + dy.range as gy
    from place_squares as p
    cross join range(-1, 2) as dx
    cross join range(-1, 2) as dy
),

pairs as (
    select
        c.device,
        c.stay_start,
        c.start_h,
        c.dwell_minutes,
        p.place_id,
        p.place_rank,
        p.open_h,
        p.close_h,
        round(
            6371008.8 * sqrt(
                power(radians(p.lon - c.lon) * cos(radians((p.lat + c.lat) / 2)), 2)
                + power(radians(p.lat - c.lat), 2)
            ),
            1
        ) as distance_m                                       -- metres, 0.1 m resolution
    from candidates as c
    inner join place_grid as p on p.gx = c.gx and p.gy = c.gy
),

near as (
    select device, stay_start, place_id, place_rank, distance_m
    from pairs
    where distance_m <= $place_radius_m
        and (
            open_h is null
            or close_h is null
            or dwell_minutes >= 1440
            -- the stay [start_h, start_h + dwell) meets the opening hours [open_h, close_h) on some day
            or (start_h < close_h and open_h < start_h + dwell_minutes / 60)
            or (start_h < close_h - 24 and open_h - 24 < start_h + dwell_minutes / 60)
            or (start_h < close_h + 24 and open_h + 24 < start_h + dwell_minutes / 60)
        )
),

nearest as (
    select
        device,
        stay_start,
        -- nearest; ties: smallest place_id. The key orders like (distance_m, place_id): distance_m is a
        -- whole number of decimetres (rounded to 0.1 m), place_rank the place_id order (< 2^32 places).
        arg_min(place_id, cast(round(distance_m * 10) as bigint) * 4294967296 + place_rank) as place_id,
        min(distance_m) as distance_m
    from near
    group by device, stay_start
),

visitor_types as (
    select
        device,
        case
            when bool_or(segment = 'resident') then 'resident'
            when bool_or(
                cast(stay_start - to_hours(cast($night_hour as bigint)) as date)
                < cast(stay_end - to_hours(cast($night_hour as bigint)) as date)
            ) then 'overnight'
            else 'day_tripper'
        end as visitor_type
    from stay_candidates
    group by device
),

final as (
    select
        c.device,
        c.stay_start,
        c.stay_end,
        c.lon,
        c.lat,
        s.cell,
        s.zone_id,
        case when v.visitor_type = 'resident' and c.spans_night then null else n.place_id end as place_id,
        case when v.visitor_type = 'resident' and c.spans_night then null else n.distance_m end as place_distance_m,
        c.segment,
        v.visitor_type,
        c.n_pings,
        c.dwell_minutes
    from candidates as c
    inner join stay_cells as s on s.lat4 = c.lat4 and s.lon4 = c.lon4
    inner join visitor_types as v on v.device = c.device
    left join nearest as n on n.device = c.device and n.stay_start = c.stay_start
)

select * from final
