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
--
-- Method: each (stay, open place in its squares) pair gets one bigint key that orders like
-- (distance_m, place_id): the distance in whole decimetres (it is rounded to 0.1 m) × 2^32 + the
-- place's rank in place_id order. The nearest place of a stay is its smallest key (one min() per
-- stay, keyed by the stay's row number), and the radius is tested on that nearest pair only: the key
-- orders by distance first, so when the nearest open place is beyond the radius every other one is
-- too. The distance is computed once per pair and read back from the key (key >> 32 decimetres).
-- Texts are stored as their codes (labels table, create_labels.sql).
insert into stays_data (
    device, stay_start, stay_end, lon, lat, cell, zone_code, place_code, place_distance_m,
    segment_code, visitor_type_code, n_pings, dwell_minutes
)
with located as (
    select
        rowid as stay_row,                                                    -- stay number (scratch table)
        lon,
        lat,
        dwell_minutes,
        (epoch_ms(stay_start) - epoch_ms(date_trunc('day', stay_start))) / 3600000.0 as start_h,  -- hour of day, fractional
        cast(floor(radians(lon - $ref_lon) * $earth_radius_m * cos(radians($ref_lat)) / ($place_radius_m * 1.1)) as bigint) as gx,
        cast(floor(radians(lat - $ref_lat) * $earth_radius_m / ($place_radius_m * 1.1)) as bigint) as gy
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
        cast(floor(radians(lon - $ref_lon) * $earth_radius_m * cos(radians($ref_lat)) / ($place_radius_m * 1.1)) as bigint) as gx,
        cast(floor(radians(lat - $ref_lat) * $earth_radius_m / ($place_radius_m * 1.1)) as bigint) as gy
    from places
),

place_grid as (
    select
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
    -- every place in the stay's squares that is open during the stay, with its distance key
    select
        c.stay_row,
        cast(round(
            round(
                $earth_radius_m * sqrt(
                    power(radians(p.lon - c.lon) * cos(radians((p.lat + c.lat) / 2)), 2)
                    + power(radians(p.lat - c.lat), 2)
                ),
                1
            ) * 10                                            -- metres at 0.1 m, as whole decimetres
        ) as bigint) * 4294967296 + p.place_rank as place_key
    from located as c
    inner join place_grid as p on p.gx = c.gx and p.gy = c.gy
    where p.open_h is null
        or p.close_h is null
        or c.dwell_minutes >= 1440
        -- the stay [start_h, start_h + dwell) meets the opening hours [open_h, close_h) on some day
        or (c.start_h < p.close_h and p.open_h < c.start_h + c.dwell_minutes / 60)
        or (c.start_h < p.close_h - 24 and p.open_h - 24 < c.start_h + c.dwell_minutes / 60)
        or (c.start_h < p.close_h + 24 and p.open_h + 24 < c.start_h + c.dwell_minutes / 60)
),

nearest as (
    -- nearest open place; ties: smallest place_id (< 2^32 places)
    select
        stay_row,
        min(place_key) as place_key
    from pairs
    group by stay_row
    having (min(place_key) >> 32) / 10 <= $place_radius_m
),

place_names as (
    select distinct place_id, place_rank
    from place_squares
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

matched as (
    select
        c.device,
        c.stay_start,
        c.stay_end,
        c.lon,
        c.lat,
        s.cell,
        s.zone_id,
        v.visitor_type = 'resident'
            and cast(c.stay_start - to_hours(cast($night_hour as bigint)) as date)
            < cast(c.stay_end - to_hours(cast($night_hour as bigint)) as date) as at_home,
        pn.place_id,
        (n.place_key >> 32) / 10 as distance_m,               -- metres, 0.1 m resolution
        c.segment,
        v.visitor_type,
        c.n_pings,
        c.dwell_minutes
    from stay_candidates as c
    inner join stay_cells as s on s.lat4 = round(c.lat, 4) and s.lon4 = round(c.lon, 4)
    inner join visitor_types as v on v.device = c.device
    left join nearest as n on n.stay_row = c.rowid
    left join place_names as pn on pn.place_rank = n.place_key & 4294967295
),

final as (
    select
        m.device,
        m.stay_start,
        m.stay_end,
        m.lon,
        m.lat,
        m.cell,
        z.code as zone_code,
        case when m.at_home then null else p.code end as place_code,
        case when m.at_home then null else m.distance_m end as place_distance_m,
        g.code as segment_code,
        cast(v.code as tinyint) as visitor_type_code,
        m.n_pings,
        m.dwell_minutes
    from matched as m
    left join labels as z on z.kind = 'zone' and z.label = m.zone_id
    left join labels as p on p.kind = 'place' and p.label = m.place_id
    inner join labels as g on g.kind = 'segment' and g.label = m.segment
    inner join labels as v on v.kind = 'visitor_type' and v.label = m.visitor_type
)

select * from final
