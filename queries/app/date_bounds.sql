-- First and last day with visitor data: presence hours, or trip days when only trips are loaded (an operator's
-- origin-destination table imported without presence).
with days as (
    select min(ts_hour)::date as first_day, max(ts_hour)::date as last_day
    from visits_hourly
    union all
    select min(day), max(day)
    from trips
    where not exists (select 1 from visits_hourly)
),

final as (
    select min(first_day) as first_day, max(last_day) as last_day
    from days
)

select first_day, last_day from final
