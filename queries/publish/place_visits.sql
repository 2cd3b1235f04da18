-- Published place visits: visits per place and month (by the month the visit started), every row with at
-- least $floor distinct visitors (devices) behind it. visits: count; dwell_minutes: their total time on site.
with visits as (
    select place_id, cast(date_trunc('month', visit_start) as date) as month_start, device, dwell_minutes
    from place_visits
),

final as (
    select
        month_start,
        place_id,
        count(distinct device) as people,
        count(*) as visits,
        sum(dwell_minutes) as dwell_minutes
    from visits
    group by month_start, place_id
    having count(distinct device) >= $floor
)

select month_start, place_id, people, visits, dwell_minutes from final
order by month_start, place_id
