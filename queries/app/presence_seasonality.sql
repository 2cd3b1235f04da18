-- Average daily people by month and visitor type over the whole data span (seasonality),
-- for the selected weekdays, hours and segment groups. month_start: first day of the month.
with days as (
    select date_trunc('month', pd.day)::date as month_start, count(*)::bigint as days_with_data
    from presence_days as pd
    where list_contains($weekdays, pd.weekday)
    group by date_trunc('month', pd.day)::date
),

people as (
    select
        date_trunc('month', d.day)::date as month_start,
        d.visitor_type,
        sum(d.visitors)::bigint as visitors
    from presence_daily as d
    where list_contains($weekdays, isodow(d.day) - 1)
      and d.first_hour <= $hour_to and d.last_hour >= $hour_from
      and list_contains($segments, split_part(d.segment, ':', 1))
    group by date_trunc('month', d.day)::date, d.visitor_type
),

final as (
    select
        p.month_start,
        p.visitor_type,
        p.visitors,                                                  -- people-days in the month
        dy.days_with_data,                                           -- days with data in the month
        p.visitors / dy.days_with_data as avg_daily_visitors        -- people per day (average)
    from people as p
    join days as dy on dy.month_start = p.month_start
)

select * from final
order by month_start, visitor_type
