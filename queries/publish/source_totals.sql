-- Totals of the measures the public file publishes, over the whole officials' database: people-hours,
-- zone-to-zone trips and place visits. For the publisher's summary (share of each measure published) only;
-- never written into the published file, where they would give the hidden remainder by subtraction.
with presence as (
    select coalesce(sum(visitors), 0) as people_hours
    from visits_hourly
),

moves as (
    select coalesce(sum(trips), 0) as trips
    from trips
    where level = 'zone'
),

visits as (
    select count(*) as visits
    from place_visits
),

final as (
    select
        cast(p.people_hours as bigint) as people_hours,
        cast(m.trips as bigint) as trips,
        cast(v.visits as bigint) as visits
    from presence as p
    cross join moves as m
    cross join visits as v
)

select people_hours, trips, visits from final
