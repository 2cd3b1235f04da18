-- Stay detection in SQL alone (the engine-neutral reference of step 1): one window over the pings,
-- i.e. one sort by (device, ts). The pipeline normally runs the same rules on DuckDB's sorted stream
-- in NumPy (geo/staydetect.py, a little faster than this window on two cores); this file is what a SQL
-- engine without Python runs (pass stay_engine="sql" to geo.pipeline.run_pipeline), and the tests prove
-- both give the same stays. Writes detected_stays (device, start_t, end_t, x, y, n_pings), which
-- create_stay_candidates.sql turns into stay_candidates.
--
-- A run is a maximal sequence of consecutive pings of one device in which each ping lies within
-- $stay_radius_m metres of the previous one and follows it by at most $max_gap_minutes. Runs of two
-- or more pings are found from their first and last ping only (lag/lead in a single window), so the
-- big table is sorted once and everything after works on two rows per run. A run's centre is the
-- mean of its first and last ping (a stray ping would have ended the run, so both are genuine).
-- Two consecutive runs at the same spot (centres within $stay_radius_m) separated by at most
-- $max_outliers stray pings (a cell-positioned outlier, a short step away) and by at most
-- $max_gap_minutes are merged. A stay is a merged run lasting at least $min_stay_minutes (inclusive:
-- exactly 15:00 is a stay); its centre is the ping-weighted mean of its runs' centres.
-- Positions are projected to metres around ($ref_lon, $ref_lat) on a sphere of radius $earth_radius_m
-- (geo.vocab.EARTH_RADIUS_M; equirectangular, < 1% error across a province); times are microseconds
-- since the epoch. The window carries only numbers (device, t, x, y). Ties in time are broken by
-- position, so storage order does not matter.
create or replace temp table detected_stays as
with projected as (
    select
        device,
        epoch_us(ts) as t,                                                   -- microseconds
        radians(lon - $ref_lon) * $earth_radius_m * cos(radians($ref_lat)) as x,  -- metres east
        radians(lat - $ref_lat) * $earth_radius_m as y                             -- metres north
    from pings
    where isfinite(lon) and isfinite(lat)  -- a ping without a position is no evidence of a stay
),

neighbours as (
    select
        device,
        t,
        x,
        y,
        row_number() over w as rn,               -- ping number within the device
        lag(t) over w as prev_t,
        lag(x) over w as prev_x,
        lag(y) over w as prev_y,
        lead(t) over w as next_t,
        lead(x) over w as next_x,
        lead(y) over w as next_y
    from projected
    window w as (partition by device order by t, x, y)
),

edges as (
    select
        device,
        t,
        rn,
        x,
        y,
        prev_t is null
            or (x - prev_x) * (x - prev_x) + (y - prev_y) * (y - prev_y) > $stay_radius_m * $stay_radius_m
            or t - prev_t > cast($max_gap_minutes as double) * 60000000 as opens,
        next_t is null
            or (next_x - x) * (next_x - x) + (next_y - y) * (next_y - y) > $stay_radius_m * $stay_radius_m
            or next_t - t > cast($max_gap_minutes as double) * 60000000 as closes
    from neighbours
),

bounds as (
    -- first and last ping of each run of two or more pings (a lone ping both opens and closes);
    -- per device, in ping order, rows alternate: open, close, open, close, ...
    select device, t, rn, x, y, opens
    from edges
    where opens <> closes
),

runs as (
    -- on an opening row: lead = this run's last ping, lag = the previous run's last ping,
    -- lag 2 = the previous run's first ping
    select
        device,
        opens,
        t as start_t,
        lead(t) over r as end_t,
        rn as first_rn,
        lead(rn) over r as last_rn,
        (x + lead(x) over r) / 2 as cx,                       -- metres east
        (y + lead(y) over r) / 2 as cy,                       -- metres north
        lag(t) over r as prev_end_t,
        lag(rn) over r as prev_last_rn,
        (lag(x) over r + lag(x, 2) over r) / 2 as prev_cx,
        (lag(y) over r + lag(y, 2) over r) / 2 as prev_cy
    from bounds
    window r as (partition by device order by rn)
),

numbered as (
    select
        device,
        start_t,
        end_t,
        cx,
        cy,
        last_rn - first_rn + 1 as n_pings,
        sum(
            case
                when prev_last_rn is not null
                    and first_rn - prev_last_rn - 1 <= $max_outliers
                    and (cx - prev_cx) * (cx - prev_cx) + (cy - prev_cy) * (cy - prev_cy)
                        <= $stay_radius_m * $stay_radius_m
                    and start_t - prev_end_t <= cast($max_gap_minutes as double) * 60000000
                    then 0
                else 1
            end
        ) over (partition by device order by first_rn rows between unbounded preceding and current row) as stay_no
    from runs
    where opens
),

merged as (
    select
        device,
        min(start_t) as start_t,
        max(end_t) as end_t,
        sum(cx * n_pings) / sum(n_pings) as x,
        sum(cy * n_pings) / sum(n_pings) as y,
        sum(n_pings) as n_pings
    from numbered
    group by device, stay_no
    having max(end_t) - min(start_t) >= cast($min_stay_minutes as double) * 60000000
),

final as (
    select
        device,
        start_t,                  -- microseconds since the epoch, local time, first ping
        end_t,                    -- microseconds, last ping
        x,                        -- metres east of the reference point
        y,                        -- metres north
        n_pings
    from merged
)

select * from final
