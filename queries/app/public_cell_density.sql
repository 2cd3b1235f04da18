-- Public people present per H3 cell (average per selected hour slot) for a month range, weekdays, hours and
-- segment groups: sums of the published cell rows of pub_presence (the rest of a zone has no place on a map).
-- slots = days with data in those months and weekdays × selected hours.
with slots as (
    select coalesce(sum(c.days), 0)::bigint * ($hour_to - $hour_from + 1) as slots
    from pub_calendar as c
    where c.month_start between $first_month and $last_month
      and list_contains($weekdays, c.weekday)
),

by_cell as (
    select
        pp.cell, any_value(pp.zone_id) as zone_id, sum(pp.people_hours)::bigint as visitor_hours,
        sum(pp.est_people_hours)::double as est_visitor_hours
    from pub_presence as pp
    where pp.cell is not null
      and pp.month_start between $first_month and $last_month
      and list_contains($weekdays, pp.weekday)
      and pp.hour between $hour_from and $hour_to
      and list_contains($segments, pp.segment_group)
    group by pp.cell
),

final as (
    select
        b.cell,                                          -- H3 index (UBIGINT)
        b.zone_id,
        c.lat,                                           -- cell centre, WGS84
        c.lon,
        b.visitor_hours,                                 -- people-hours in the selection
        b.visitor_hours / s.slots as present,            -- people present per hour (average)
        b.est_visitor_hours / s.slots as est_present     -- ESTIMATE: the same × the published weights
    from by_cell as b
    cross join slots as s
    inner join cells as c on c.cell = b.cell
    where s.slots > 0 and b.visitor_hours > 0
)

select * from final
order by present desc, cell
