-- Days between the first and last day of data with no presence rows or no trips (gaps in the flow tables).
with bounds as (
    select min(day) as first_day, max(day) as last_day
    from daily_coverage
),
calendar as (
    select unnest(generate_series(b.first_day, b.last_day, interval 1 day))::date as day
    from bounds as b
    where b.first_day is not null
),
final as (
    select
        c.day,
        coalesce(dc.presence_rows, 0) as presence_rows,
        coalesce(dc.hours_with_data, 0) as hours_with_data,
        coalesce(dc.trip_rows, 0) as trip_rows
    from calendar as c
    left join daily_coverage as dc on dc.day = c.day
    where coalesce(dc.presence_rows, 0) = 0 or coalesce(dc.trip_rows, 0) = 0
)
select * from final
order by day
