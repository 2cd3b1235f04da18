-- pub_corridors: directed trips between tourism zones per month (publish/corridors.sql); every row has at
-- least the floor of distinct people.
create table pub_corridors as
with final as (
    select
        cast(month_start as date) as month_start,   -- first day of the local month the move began
        cast(origin as varchar) as origin,          -- zone_id left
        cast(destination as varchar) as destination,  -- zone_id entered
        cast(people as bigint) as people,           -- distinct people who made the move that month (>= floor)
        cast(trips as bigint) as trips,             -- moves (count)
        cast(est_people as double) as est_people,   -- ESTIMATE: people × the month's pooled public weight
        cast(est_trips as double) as est_trips      -- ESTIMATE: trips × the same weight
    from staged_rows
)

select month_start, origin, destination, people, trips, est_people, est_trips from final
order by month_start, origin, destination
