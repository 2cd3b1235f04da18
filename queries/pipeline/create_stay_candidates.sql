-- Stay detection (step 1 of the pipeline), one pass over the pings and one sort by (device, ts).
--
-- A run is a maximal sequence of consecutive pings of one device in which each ping lies within
-- $stay_radius_m metres of the previous one and follows it by at most $max_gap_minutes. Runs of two
-- or more pings are found from their first and last ping only (lag/lead in a single window), so
-- the big table is sorted once and everything after works on a few rows per run.
-- Two runs at the same spot (centres within $stay_radius_m) separated by at most $max_outliers stray
-- pings (a cell-positioned outlier, a short step away) and by at most $max_gap_minutes are merged.
-- A stay is a merged run lasting at least $min_stay_minutes (inclusive: exactly 15:00 is a stay).
-- Positions are projected to metres around ($ref_lon, $ref_lat) on a sphere of radius 6,371,008.8 m
-- (equirectangular; < 1% error across a province). The window carries only numbers (device, ts, x, y):
-- a device's segment is taken separately (its first ping's segment), which keeps the sort narrow.
-- Ties in time are broken by position so the result does not depend on storage order.
create or replace temp table stay_candidates as
with projected as (
    select
        device,
        ts,
        radians(lon - $ref_lon) * 6371008.8 * cos(radians($ref_lat)) as x,   -- metres east
        radians(lat - $ref_lat) * 6371008.8 as y                              -- metres north
    from pings
),

neighbours as (
    select
        device,
        ts,
        x,
        y,
        row_number() over w as rn,               -- ping number within the device
        lag(ts) over w as prev_ts,
        lag(x) over w as prev_x,
        lag(y) over w as prev_y,
        lead(ts) over w as next_ts,
        lead(x) over w as next_x,
        lead(y) over w as next_y
    from projected
    window w as (partition by device order by ts, x, y)
),

edges as (
    select
        device,
        ts,
        rn,
        x,
        y,
        prev_x,
        prev_y,
        next_x,
        next_y,
        prev_ts is null
            or (x - prev_x) * (x - prev_x) + (y - prev_y) * (y - prev_y) > $stay_radius_m * $stay_radius_m
            or epoch_ms(ts) - epoch_ms(prev_ts) > $max_gap_minutes * 60000 as opens,
        next_ts is null
            or (next_x - x) * (next_x - x) + (next_y - y) * (next_y - y) > $stay_radius_m * $stay_radius_m
            or epoch_ms(next_ts) - epoch_ms(ts) > $max_gap_minutes * 60000 as closes
    from neighbours
),

bounds as (
    -- first and last ping of each run of two or more pings (a lone ping both opens and closes)
    select device, ts, rn, x, y, prev_x, prev_y, next_x, next_y, opens
    from edges
    where opens <> closes
),

runs as (
    -- each opening ping followed by its closing ping; centre = mean of the first two and last two pings
    select
        device,
        opens,
        ts as run_start,
        lead(ts) over r as run_end,
        rn as first_rn,
        lead(rn) over r as last_rn,
        (x + next_x + lead(x) over r + lead(prev_x) over r) / 4 as cx,   -- metres east
        (y + next_y + lead(y) over r + lead(prev_y) over r) / 4 as cy    -- metres north
    from bounds
    window r as (partition by device order by rn)
),

linked as (
    select
        device,
        run_start,
        run_end,
        first_rn,
        last_rn,
        cx,
        cy,
        last_rn - first_rn + 1 as n_pings,
        lag(last_rn) over m as prev_last_rn,
        lag(run_end) over m as prev_end,
        lag(cx) over m as prev_cx,
        lag(cy) over m as prev_cy
    from runs
    where opens
    window m as (partition by device order by first_rn)
),

numbered as (
    select
        *,
        sum(
            case
                when prev_last_rn is not null
                    and first_rn - prev_last_rn - 1 <= $max_outliers
                    and (cx - prev_cx) * (cx - prev_cx) + (cy - prev_cy) * (cy - prev_cy)
                        <= $stay_radius_m * $stay_radius_m
                    and epoch_ms(run_start) - epoch_ms(prev_end) <= $max_gap_minutes * 60000
                    then 0
                else 1
            end
        ) over (partition by device order by first_rn rows between unbounded preceding and current row) as stay_no
    from linked
),

merged as (
    select
        device,
        min(run_start) as stay_start,
        max(run_end) as stay_end,
        sum(cx * n_pings) / sum(n_pings) as x,
        sum(cy * n_pings) / sum(n_pings) as y,
        sum(n_pings) as n_pings
    from numbered
    group by device, stay_no
),

device_segments as (
    select
        device,
        arg_min(segment, ts) as segment      -- segment of the device's first ping
    from pings
    group by device
),

final as (
    select
        merged.device,
        stay_start,                                                          -- local time, first ping
        stay_end,                                                            -- local time, last ping
        $ref_lon + degrees(x / (6371008.8 * cos(radians($ref_lat)))) as lon,  -- WGS84 degrees
        $ref_lat + degrees(y / 6371008.8) as lat,                            -- WGS84 degrees
        segment,
        cast(n_pings as integer) as n_pings,                                 -- pings in the runs
        (epoch_ms(stay_end) - epoch_ms(stay_start)) / 60000.0 as dwell_minutes  -- minutes
    from merged
    inner join device_segments using (device)
    where epoch_ms(stay_end) - epoch_ms(stay_start) >= $min_stay_minutes * 60000
)

select * from final
