-- Public people present by hour of day in one H3 cell (average per day with data) for a month range, weekdays
-- and segment groups: sums of the cell's published pub_presence rows.
with days as (
    select coalesce(sum(c.days), 0)::bigint as days_with_data
    from pub_calendar as c
    where c.month_start between $first_month and $last_month
      and list_contains($weekdays, c.weekday)
),

hourly as (
    select pp.hour, sum(pp.people_hours)::bigint as visitor_hours
    from pub_presence as pp
    where pp.cell = $cell
      and pp.month_start between $first_month and $last_month
      and list_contains($weekdays, pp.weekday)
      and list_contains($segments, pp.segment_group)
    group by pp.hour
),

final as (
    select
        h.hour,                                           -- local hour, 0..23
        h.visitor_hours,                                  -- people-hours
        h.visitor_hours / d.days_with_data as present     -- people present (average per day)
    from hourly as h
    cross join days as d
    where d.days_with_data > 0
)

select * from final
order by hour
