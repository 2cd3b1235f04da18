-- Daily unique visitors in the whole city by day × segment × visitor type × presence window.
-- A stay crossing midnight counts on every day it touches (the parts of 12_stay_day_parts.sql). Per
-- device and day, first_hour and last_hour (0..23) bound the hours it was present, so "visitors present
-- between hours a and b" is sum(visitors) where first_hour <= b and last_hour >= a — exact, without
-- storing devices.
-- visitors: unique devices (people-days); dwell_minutes: minutes covered by their stays that day.
create or replace table presence_daily as
with device_days as (
    select
        day,
        device,
        segment,
        visitor_type,
        cast(hour(min(part_start)) as tinyint) as first_hour,
        cast(greatest(hour(min(part_start)), hour(max(part_end) - interval 1 microsecond)) as tinyint) as last_hour,
        sum(date_diff('second', part_start, part_end)) / 60.0 as dwell_minutes
    from stay_day_parts
    group by day, device, segment, visitor_type
),

counted as (
    select
        day,
        segment,
        visitor_type,
        first_hour,
        last_hour,
        cast(count(*) as bigint) as visitors,
        sum(dwell_minutes) as dwell_minutes
    from device_days
    group by day, segment, visitor_type, first_hour, last_hour
    union all
    -- no stays (an operator's aggregated presence): approximate people per day from the hourly cube
    select day, segment, visitor_type, first_hour, last_hour, visitors, dwell_minutes
    from presence_day_bands
    where city
),

final as (
    -- est_people: people-days × the expansion weight of the segment group and month (ESTIMATE)
    select f.*, f.visitors * coalesce(w.weight, 1.0) as est_people
    from counted as f
    left join expansion_weights as w
        on w.segment_group = split_part(f.segment, ':', 1)
        and w.month_start = cast(date_trunc('month', f.day) as date)
)

select * from final
order by day, segment, visitor_type, first_hour, last_hour
