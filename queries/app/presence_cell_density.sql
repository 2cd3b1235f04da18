-- People present per H3 cell (average per selected hour slot) for months × weekdays × hours × segment
-- groups, only cells with data. slots = days with data in those months and weekdays × selected hours.
-- $floor (the public view's privacy floor, 0 for officials) drops every profile row with fewer distinct
-- devices before summing: each row is the finest unit the filters can select (cell × month × weekday ×
-- hour × segment group), so every figure is a sum of shown units, each of at least $floor people, and
-- no two selections differ by a hidden one.
with slots as (
    select count(*)::bigint * ($hour_to - $hour_from + 1) as slots
    from presence_days as pd
    where list_contains($months, pd.month)
      and list_contains($weekdays, pd.weekday)
),

profile as (
    select
        cp.cell, cp.zone_id, sum(cp.visitors)::bigint as visitor_hours, sum(cp.dwell_minutes) as dwell_minutes,
        sum(cp.est_people) as est_people_hours            -- ESTIMATE: people-hours × expansion weight
    from presence_cell_profile as cp
    where list_contains($months, cp.month)
      and list_contains($weekdays, cp.weekday)
      and cp.hour between $hour_from and $hour_to
      and list_contains($segments, cp.segment_group)
      and cp.devices >= $floor
    group by cp.cell, cp.zone_id
),

final as (
    select
        p.cell,                                          -- H3 index (UBIGINT)
        p.zone_id,
        c.lat,                                           -- cell centre, WGS84
        c.lon,
        p.visitor_hours,                                 -- people-hours in the selection
        p.visitor_hours / s.slots as present,            -- people present per hour (average)
        p.est_people_hours / s.slots as est_present      -- ESTIMATE: estimated people present per hour
    from profile as p
    cross join slots as s
    join cells as c on c.cell = p.cell
    where s.slots > 0 and p.visitor_hours > 0
)

select * from final
order by present desc, cell
