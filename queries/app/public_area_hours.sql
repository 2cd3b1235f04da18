-- Public people present by hour of day in a drawn area (average per day with data) for a month range,
-- weekdays and segment groups: the published cell rows of pub_presence whose cell centre lies inside
-- $area_wkt (validated in Python, always bound), exactly the cells the public density map draws.
with area as (
    select ST_GeomFromText($area_wkt) as geom
),

inside as (
    select c.cell
    from cells as c
    cross join area as a
    where ST_Contains(a.geom, ST_Point(c.lon, c.lat))
),

days as (
    select coalesce(sum(c.days), 0)::bigint as days_with_data
    from pub_calendar as c
    where c.month_start between $first_month and $last_month
      and list_contains($weekdays, c.weekday)
),

hourly as (
    select pp.hour, sum(pp.people_hours)::bigint as visitor_hours
    from pub_presence as pp
    where pp.cell in (select i.cell from inside as i)
      and pp.month_start between $first_month and $last_month
      and list_contains($weekdays, pp.weekday)
      and list_contains($segments, pp.segment_group)
    group by pp.hour
),

final as (
    select
        h.hour,                                           -- local hour, 0..23
        h.visitor_hours,                                  -- people-hours
        h.visitor_hours / d.days_with_data as present,    -- people present (average per day)
        d.days_with_data
    from hourly as h
    cross join days as d
    where d.days_with_data > 0 and h.visitor_hours > 0
)

select * from final
order by hour
