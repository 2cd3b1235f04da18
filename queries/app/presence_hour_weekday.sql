-- People present per hour of day and weekday (average over the period's days of that weekday).
-- present: sum over cells of hourly unique devices, divided by the number of such days with data.
with days as (
    select pd.weekday, count(*)::bigint as days_with_data
    from presence_days as pd
    where pd.day between $start and $end
      and list_contains($weekdays, pd.weekday)
    group by pd.weekday
),

hourly as (
    select (isodow(ph.day) - 1)::tinyint as weekday, ph.hour, sum(ph.visitors)::bigint as visitor_hours
    from presence_hourly as ph
    where ph.day between $start and $end
      and list_contains($weekdays, isodow(ph.day) - 1)
      and ph.hour between $hour_from and $hour_to
      and list_contains($segments, ph.segment_group)
    group by (isodow(ph.day) - 1)::tinyint, ph.hour
),

final as (
    select
        h.weekday,                                        -- 0 = Monday .. 6 = Sunday
        h.hour,                                           -- local hour, 0..23
        h.visitor_hours,                                  -- people-hours in the period
        h.visitor_hours / d.days_with_data as present    -- people present (average per day)
    from hourly as h
    join days as d on d.weekday = h.weekday
)

select * from final
order by weekday, hour
