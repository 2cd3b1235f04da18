-- Hourly presence (step 4). Each stay is expanded into the hours it overlaps ([start, end), so a
-- stay ending exactly on the hour does not touch the next one). Unique devices without a distinct
-- count: a device's stays never overlap, so a device can repeat in a (cell, hour) only when an
-- earlier stay of it in the same cell ended in the hour the next one starts; that first hour row is
-- then flagged as already counted (one lag over the small stays table), and rows are simply counted.
insert into visits_hourly (ts_hour, cell, zone_id, segment, visitor_type, visitors, dwell_minutes)
with marked as (
    select
        cell,
        zone_id,
        segment,
        visitor_type,
        stay_start,
        stay_end,
        date_trunc('hour', stay_start) as first_hour,
        date_trunc('hour', stay_end - interval 1 microsecond) as last_hour,
        coalesce(
            date_trunc('hour', lag(stay_end) over w - interval 1 microsecond) = date_trunc('hour', stay_start),
            false
        ) as first_hour_counted
    from stays
    window w as (partition by device, cell, zone_id order by stay_start)
),

hours as (
    select
        cell,
        zone_id,
        segment,
        visitor_type,
        stay_start,
        stay_end,
        first_hour,
        first_hour_counted,
        unnest(generate_series(first_hour, last_hour, interval 1 hour)) as ts_hour
    from marked
),

final as (
    select
        ts_hour,
        cell,
        zone_id,
        segment,
        visitor_type,
        cast(count(*) filter (where not (first_hour_counted and ts_hour = first_hour)) as integer) as visitors,
        sum(
            epoch_ms(least(stay_end, ts_hour + interval 1 hour)) - epoch_ms(greatest(stay_start, ts_hour))
        ) / 60000.0 as dwell_minutes                                                  -- minutes
    from hours
    group by ts_hour, cell, zone_id, segment, visitor_type
)

select * from final
