-- One H3 cell's people present by hour of day (average per day with data) for months × weekdays × segments.
-- Profile rows with fewer than $floor distinct devices (public view; 0 for officials) are dropped first,
-- as in presence_cell_density.
with days as (
    select count(*)::bigint as days_with_data
    from presence_days as pd
    where list_contains($months, pd.month)
      and list_contains($weekdays, pd.weekday)
),

hourly as (
    select cp.hour, sum(cp.visitors)::bigint as visitor_hours, sum(cp.dwell_minutes) as dwell_minutes
    from presence_cell_profile as cp
    where cp.cell = $cell
      and list_contains($months, cp.month)
      and list_contains($weekdays, cp.weekday)
      and list_contains($segments, cp.segment_group)
      and cp.devices >= $floor
    group by cp.hour
),

final as (
    select
        h.hour,                                           -- local hour, 0..23
        h.visitor_hours,                                  -- people-hours
        h.visitor_hours / d.days_with_data as present    -- people present (average per day)
    from hourly as h
    cross join days as d
    where d.days_with_data > 0
)

select * from final
order by hour
