-- One row per day with presence data: the calendar the presence rollups average over.
-- month 1..12, weekday 0 = Monday .. 6 = Sunday (local Chiang Mai time).
create or replace table presence_days as
with days as (
    select distinct cast(ts_hour as date) as day
    from visits_hourly
),

final as (
    select
        day,
        cast(month(day) as tinyint) as month,
        cast(isodow(day) - 1 as tinyint) as weekday
    from days
)

select * from final
order by day
