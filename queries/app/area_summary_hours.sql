-- People present by hour of day in a drawn area (average per day with data) for months × weekdays × segments:
-- the presence cell profile summed over the cells whose centre lies inside $area_wkt. Profile rows with fewer
-- than $floor distinct devices (public view; 0 for officials) are dropped first, as in presence_cell_density,
-- so every figure is a sum of the density map's own units.
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
    select count(*)::bigint as days_with_data
    from presence_days as pd
    where list_contains($months, pd.month)
      and list_contains($weekdays, pd.weekday)
),

hourly as (
    select cp.hour, sum(cp.visitors)::bigint as visitor_hours
    from presence_cell_profile as cp
    where cp.cell in (select i.cell from inside as i)
      and list_contains($months, cp.month)
      and list_contains($weekdays, cp.weekday)
      and list_contains($segments, cp.segment_group)
      and cp.devices >= $floor
    group by cp.hour
),

final as (
    select
        h.hour,                                           -- local hour, 0..23
        h.visitor_hours,                                  -- people-hours (unique devices per cell and hour, summed)
        h.visitor_hours / d.days_with_data as present,    -- people present (average per day)
        d.days_with_data
    from hourly as h
    cross join days as d
    where d.days_with_data > 0 and h.visitor_hours > 0
)

select * from final
order by hour
