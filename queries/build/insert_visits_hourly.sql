-- Hourly presence (step 4). Each stay is expanded into the hours it overlaps ([start, end), so a
-- stay ending exactly on the hour does not touch the next hour). Unique devices without a distinct
-- count: a device's stays never overlap, so a device can repeat in a (cell, hour) only when an earlier
-- stay of it in the same cell ended in the hour the next one starts; that first hour row is then
-- flagged as already counted (one lag over the small stays table) and rows are simply counted.
-- Works on the coded stays (stays_data) and writes codes (labels table). The output keys (cell, zone,
-- segment, visitor type) are replaced by one small integer code while grouping; hours are whole hours
-- since the epoch and times microseconds, so the big group-by is on two numbers. The lag runs in a window partitioned by that code (ordered by device, then start; the
-- previous row counts only if it is the same device), so the hour rows reach the group-by clustered by
-- code, which keeps its hash table local. Dwell microseconds are whole numbers summed as doubles:
-- exact below 2^53 (285 years of dwell in one cell-hour).
insert into visits_hourly_data (ts_hour, cell, zone_code, segment_code, visitor_type_code, visitors, dwell_minutes)
with stay_groups as (
    select
        cell,
        zone_code,
        segment_code,
        visitor_type_code,
        cast(row_number() over (order by cell, zone_code, segment_code, visitor_type_code) as integer) as code
    from (select distinct cell, zone_code, segment_code, visitor_type_code from stays_data)
),

marked as (
    select
        g.code,
        epoch_us(s.stay_start) as start_us,
        epoch_us(s.stay_end) as end_us,
        epoch_us(s.stay_start) // 3600000000 as first_h,                 -- hours since the epoch
        (epoch_us(s.stay_end) - 1) // 3600000000 as last_h,
        coalesce(
            lag(s.device) over w = s.device
            and (epoch_us(lag(s.stay_end) over w) - 1) // 3600000000 = epoch_us(s.stay_start) // 3600000000,
            false
        ) as first_hour_counted
    from stays_data as s
    inner join stay_groups as g
        on g.cell = s.cell
        and g.zone_code is not distinct from s.zone_code
        and g.segment_code = s.segment_code
        and g.visitor_type_code = s.visitor_type_code
    window w as (partition by g.code order by s.device, s.stay_start)
),

hours as (
    select
        code,
        start_us,
        end_us,
        first_h,
        first_hour_counted,
        unnest(range(first_h, last_h + 1)) as h
    from marked
),

counted as (
    select
        h,
        code,
        count(*) filter (where not first_hour_counted or h <> first_h) as visitors,
        sum(cast(least(end_us, (h + 1) * 3600000000) - greatest(start_us, h * 3600000000) as double)) as dwell_us
    from hours
    group by h, code
),

final as (
    select
        make_timestamp(c.h * 3600000000) as ts_hour,        -- local hour start
        g.cell,
        g.zone_code,
        g.segment_code,
        g.visitor_type_code,
        cast(c.visitors as integer) as visitors,             -- unique devices
        c.dwell_us / 60000000.0 as dwell_minutes              -- minutes
    from counted as c
    inner join stay_groups as g on g.code = c.code
)

select * from final
