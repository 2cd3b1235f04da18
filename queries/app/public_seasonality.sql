-- Public seasonality: person-days per day by month and visitor type over every published month (the month
-- range is marked, not applied), for the chosen segment groups: sums of pub_zone_days rows.
with days as (
    select month_start, sum(days)::bigint as days_with_data
    from pub_calendar
    group by month_start
),

by_type as (
    select zd.month_start, zd.visitor_type, sum(zd.people_days)::bigint as visitors
    from pub_zone_days as zd
    where list_contains($segments, zd.segment_group)
    group by zd.month_start, zd.visitor_type
),

final as (
    select
        b.month_start,
        b.visitor_type,
        b.visitors,                                          -- person-days
        d.days_with_data,
        b.visitors / d.days_with_data as avg_daily_visitors  -- people per day (average)
    from by_type as b
    inner join days as d on d.month_start = b.month_start
    where d.days_with_data > 0
)

select * from final
order by month_start, visitor_type
