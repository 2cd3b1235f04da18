-- Origin-destination trips per day between zones or places, by segment group and visitor type (pages read this, never trips).
create or replace table od_daily as
with grouped as (
    select
        t.day,                                         -- local Chiang Mai date
        t.level,                                       -- 'zone' | 'place'
        t.origin,                                      -- zone_id or place_id
        t.destination,                                 -- zone_id or place_id
        split_part(t.segment, ':', 1) as segment_group,  -- domestic | international | resident
        t.visitor_type,                                -- resident | overnight | day_tripper
        sum(t.trips)::bigint as trips                  -- trips (count)
    from trips as t
    group by t.day, t.level, t.origin, t.destination, split_part(t.segment, ':', 1), t.visitor_type
),
final as (
    select day, level, origin, destination, segment_group, visitor_type, trips
    from grouped
)
select * from final
order by level, day
