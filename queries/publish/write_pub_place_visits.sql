-- pub_place_visits: visits per place and month (publish/place_visits.sql); every row has at least the floor
-- of distinct visitors.
create table pub_place_visits as
with final as (
    select
        cast(month_start as date) as month_start,       -- first day of the local month the visit started
        cast(place_id as varchar) as place_id,
        cast(people as bigint) as people,               -- distinct visitors (>= floor)
        cast(visits as bigint) as visits,               -- visits (count)
        cast(dwell_minutes as double) as dwell_minutes, -- total minutes on site
        cast(est_people as double) as est_people,       -- ESTIMATE: people × the month's pooled public weight
        cast(est_visits as double) as est_visits        -- ESTIMATE: visits × the same weight
    from staged_rows
)

select month_start, place_id, people, visits, dwell_minutes, est_people, est_visits from final
order by month_start, place_id
