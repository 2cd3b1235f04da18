-- Published corridors: directed trips between tourism zones per month, every row with at least $floor
-- distinct people (devices that made that move in that month) behind it.
--
-- The moves are the pipeline's zone-level trips (build/insert_trips.sql, the same window over the coded
-- stays: consecutive stays of a device in different zones, stays outside every zone skipped, the month of
-- the day the device left the origin), here kept per device so the distinct people of a corridor can be
-- counted. trips: moves (count); people: distinct devices.
with linked as (
    select
        device,
        zone_code,
        lag(zone_code ignore nulls) over w as prev_zone,
        lag(case when zone_code is not null then stay_end end ignore nulls) over w as left_zone_at
    from stays_data
    window w as (partition by device order by stay_start)
),

moves as (
    select device, cast(date_trunc('month', left_zone_at) as date) as month_start, prev_zone, zone_code
    from linked
    where prev_zone <> zone_code
),

grouped as (
    select
        month_start,
        prev_zone,
        zone_code,
        count(distinct device) as people,
        count(*) as trips
    from moves
    group by month_start, prev_zone, zone_code
),

final as (
    select g.month_start, o.label as origin, d.label as destination, g.people, g.trips
    from grouped as g
    inner join labels as o on o.kind = 'zone' and o.code = g.prev_zone
    inner join labels as d on d.kind = 'zone' and d.code = g.zone_code
    where g.people >= $floor
)

select month_start, origin, destination, people, trips from final
order by month_start, origin, destination
