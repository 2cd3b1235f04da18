-- Rows and visitors per day in visits_hourly and trips (the Data page's date coverage and gaps).
create or replace table daily_coverage as
with hourly as (
    select ts_hour, count(*)::bigint as presence_rows, sum(visitors)::bigint as visitor_hours
    from visits_hourly
    group by ts_hour
),
presence as (
    select
        ts_hour::date as day,
        sum(presence_rows)::bigint as presence_rows,
        sum(visitor_hours)::bigint as visitor_hours,
        count(*)::integer as hours_with_data
    from hourly
    group by ts_hour::date
),
movement as (
    select day, count(*)::bigint as trip_rows, sum(trips)::bigint as trips
    from trips
    group by day
),
final as (
    select
        coalesce(p.day, m.day) as day,
        coalesce(p.presence_rows, 0) as presence_rows,      -- visits_hourly rows that day
        coalesce(p.visitor_hours, 0) as visitor_hours,      -- sum of hourly visitors (visitor-hours)
        coalesce(p.hours_with_data, 0) as hours_with_data,  -- distinct hours with presence rows, 0..24
        coalesce(m.trip_rows, 0) as trip_rows,              -- trips rows that day
        coalesce(m.trips, 0) as trips                       -- trips that day
    from presence as p
    full outer join movement as m on m.day = p.day
)
select * from final
order by day
