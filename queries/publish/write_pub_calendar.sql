-- pub_calendar: days with presence data per month and weekday (publish/calendar.sql).
create table pub_calendar as
with final as (
    select
        cast(month_start as date) as month_start,  -- first day of the local month
        cast(weekday as tinyint) as weekday,       -- 0 = Monday .. 6 = Sunday
        cast(days as integer) as days              -- days with data
    from staged_rows
)

select month_start, weekday, days from final
order by month_start, weekday
