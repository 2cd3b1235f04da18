-- Days with presence data per month and weekday: what the public pages average over (people present per
-- hour slot, people per day). A calendar, not a count of people.
with days as (
    select distinct cast(ts_hour as date) as day
    from visits_hourly
),

final as (
    select
        cast(date_trunc('month', day) as date) as month_start,  -- first day of the local month
        cast(isodow(day) - 1 as tinyint) as weekday,             -- 0 = Monday .. 6 = Sunday
        cast(count(*) as integer) as days                        -- days with data
    from days
    group by 1, 2
)

select month_start, weekday, days from final
order by month_start, weekday
