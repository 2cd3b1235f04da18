-- Public people present by weekday and hour of day for a month range, hours and segment groups: sums of
-- pub_presence rows (cells and the rest of each zone) over the days with data of that weekday.
with days as (
    select c.weekday, sum(c.days)::bigint as days_with_data
    from pub_calendar as c
    where c.month_start between $first_month and $last_month
      and list_contains($weekdays, c.weekday)
    group by c.weekday
),

hourly as (
    select pp.weekday, pp.hour, sum(pp.people_hours)::bigint as visitor_hours
    from pub_presence as pp
    where pp.month_start between $first_month and $last_month
      and list_contains($weekdays, pp.weekday)
      and pp.hour between $hour_from and $hour_to
      and list_contains($segments, pp.segment_group)
    group by pp.weekday, pp.hour
),

final as (
    select
        h.weekday,                                         -- 0 = Monday .. 6 = Sunday
        h.hour,                                            -- local hour, 0..23
        h.visitor_hours,                                   -- people-hours
        h.visitor_hours / d.days_with_data as present      -- people present (average day of that weekday)
    from hourly as h
    inner join days as d on d.weekday = h.weekday
    where d.days_with_data > 0
)

select * from final
order by weekday, hour
