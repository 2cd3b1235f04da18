-- Who is in a drawn area: people-hours by origin segment and visitor type in the cells whose centre lies inside
-- $area_wkt, for months × weekdays × hours × segment groups (the same selection as area_summary_hours). Read from
-- the presence cube (visits_hourly), which carries the visitor type and the full segment the cell profile sums
-- away; officials only (geo.services.area never runs it with a privacy floor).
with area as (
    select ST_GeomFromText($area_wkt) as geom
),

inside as (
    select c.cell
    from cells as c
    cross join area as a
    where ST_Contains(a.geom, ST_Point(c.lon, c.lat))
),

hourly as (
    select vh.segment, vh.visitor_type, vh.visitors
    from visits_hourly as vh
    where vh.cell in (select i.cell from inside as i)
      and list_contains($months, month(vh.ts_hour))
      and list_contains($weekdays, isodow(vh.ts_hour) - 1)
      and hour(vh.ts_hour) between $hour_from and $hour_to
      and list_contains($segments, split_part(vh.segment, ':', 1))
),

final as (
    select
        segment,                                          -- resident | domestic:<Province> | international:<ISO2>
        split_part(segment, ':', 1) as segment_group,
        visitor_type,                                     -- resident | overnight | day_tripper
        sum(visitors)::bigint as visitor_hours            -- people-hours
    from hourly
    group by segment, visitor_type
)

select * from final
order by visitor_hours desc, segment, visitor_type
