-- People present by hour of day (average per day with data) in the city ($zone_id = '') or one zone.
with days as (
    select count(*)::bigint as days_with_data
    from presence_days as pd
    where pd.day between $start and $end
      and list_contains($weekdays, pd.weekday)
),

hourly as (
    select ph.hour, sum(ph.visitors)::bigint as visitor_hours
    from presence_hourly as ph
    where ($zone_id = '' or ph.zone_id = $zone_id)
      and ph.day between $start and $end
      and list_contains($weekdays, isodow(ph.day) - 1)
      and ph.hour between $hour_from and $hour_to
      and list_contains($segments, ph.segment_group)
    group by ph.hour
),

final as (
    select
        h.hour,                                           -- local hour, 0..23
        h.visitor_hours,                                  -- people-hours in the period
        h.visitor_hours / d.days_with_data as present    -- people present (average per day)
    from hourly as h
    cross join days as d
    where d.days_with_data > 0
)

select * from final
order by hour
