-- Presence per H3 cell by month × weekday × hour of day × segment group, summed over the data's days.
-- visitors: sum of hourly unique devices in the cell (device-hours); dwell_minutes: minutes present.
-- devices: distinct devices present in the row at all (over all its days), from the stays — the unit
-- of the public view's privacy floor (a device seen on five Wednesdays adds 5 visitors but 1 device).
-- est_people: visitors (device-hours) × the expansion weight of the segment group and month (estimated
-- people-hours, geo/build/estimates.py).
-- Rows with no stays behind them (a delivered presence cube without stays) get devices 0, so the public
-- view never shows them. Averages per hour divide by the number of matching (day, hour) slots in
-- presence_days.
create or replace table presence_cell_profile as
with hourly as (
    select
        v.cell,
        v.zone_id,
        cast(month(v.ts_hour) as tinyint) as month,
        cast(isodow(v.ts_hour) - 1 as tinyint) as weekday,
        cast(hour(v.ts_hour) as tinyint) as hour,
        v.segment_group,
        v.visitors,
        v.est_people,
        v.dwell_minutes
    from presence_weighted as v  -- visits_hourly with segment_group and est_people (10_presence_weighted.sql)
),

grouped as (
    select
        cell,
        zone_id,
        month,
        weekday,
        hour,
        segment_group,
        cast(sum(visitors) as bigint) as visitors,
        sum(est_people) as est_people,
        sum(dwell_minutes) as dwell_minutes
    from hourly
    group by cell, zone_id, month, weekday, hour, segment_group
),

stay_hours as (
    -- every stay expanded into the local hours it overlaps ([start, end)), as visits_hourly (coded stays
    -- with the segment group looked up once per stay, so the expansion carries few columns)
    select
        s.device,
        s.cell,
        split_part(l.label, ':', 1) as segment_group,
        unnest(generate_series(
            date_trunc('hour', s.stay_start),
            date_trunc('hour', s.stay_end - interval 1 microsecond),
            interval 1 hour
        )) as ts_hour
    from stays_data as s
    inner join labels as l on l.kind = 'segment' and l.code = s.segment_code
),

devices as (
    select
        cell,
        cast(month(ts_hour) as tinyint) as month,
        cast(isodow(ts_hour) - 1 as tinyint) as weekday,
        cast(hour(ts_hour) as tinyint) as hour,
        segment_group,
        cast(count(distinct device) as bigint) as devices
    from stay_hours
    group by cell, month, weekday, hour, segment_group
),

final as (
    select
        g.cell,
        g.zone_id,
        g.month,
        g.weekday,
        g.hour,
        g.segment_group,
        g.visitors,                                   -- device-hours
        g.est_people,                                 -- estimated people-hours (ESTIMATE)
        coalesce(d.devices, 0)::bigint as devices,    -- distinct devices (privacy floor unit)
        g.dwell_minutes
    from grouped as g
    left join devices as d
        on d.cell = g.cell
        and d.month = g.month
        and d.weekday = g.weekday
        and d.hour = g.hour
        and d.segment_group = g.segment_group
)

select * from final
order by month, weekday, hour, cell
