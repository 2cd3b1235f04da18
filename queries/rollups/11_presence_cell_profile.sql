-- Presence per H3 cell by month × weekday × hour of day × segment group, summed over the data's days.
-- visitors: sum of hourly unique devices in the cell (device-hours); dwell_minutes: minutes present.
-- Averages per hour divide by the number of matching (day, hour) slots in presence_days.
create table presence_cell_profile as
with hourly as (
    select
        cell,
        zone_id,
        cast(month(ts_hour) as tinyint) as month,
        cast(isodow(ts_hour) - 1 as tinyint) as weekday,
        cast(hour(ts_hour) as tinyint) as hour,
        split_part(segment, ':', 1) as segment_group,
        visitors,
        dwell_minutes
    from visits_hourly
),

final as (
    select
        cell,
        zone_id,
        month,
        weekday,
        hour,
        segment_group,
        cast(sum(visitors) as bigint) as visitors,
        sum(dwell_minutes) as dwell_minutes
    from hourly
    group by cell, zone_id, month, weekday, hour, segment_group
)

select * from final
order by month, weekday, hour, cell
