-- od_filtered(flow_level, first_day, last_day, weekday_list, segment_list): the trips of od_daily the
-- Movement page's filters select, summed per origin -> destination (a table macro stored with od_daily).
-- The one step app/movement_corridors.sql and app/movement_flow_totals.sql share: a corridor's share
-- divides its trips by the totals' corridor_trips, so both must select exactly the same trips. Stored in
-- the database because the app opens it read-only and cannot create anything.
-- Arguments: level 'zone' | 'place'; first and last local day (inclusive); weekdays 0 = Monday .. 6;
-- segment groups (domestic | international | resident).
create or replace macro od_filtered(flow_level, first_day, last_day, weekday_list, segment_list) as table
with filtered as (
    select
        od.origin, od.destination, sum(od.trips)::bigint as trips,
        sum(od.est_people) as est_people  -- ESTIMATE: trips × expansion weight
    from od_daily as od
    where od.level = flow_level
      and od.day between first_day and last_day
      and list_contains(weekday_list, isodow(od.day) - 1)
      and list_contains(segment_list, od.segment_group)
    group by od.origin, od.destination
),

final as (
    select origin, destination, trips, est_people
    from filtered
)

select * from final
