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
        sum(t.trips)::bigint as trips,                 -- trips (count)
        sum(t.trips * coalesce(w.weight, 1.0)) as est_people  -- ESTIMATE: trips × expansion weight (estimated trips)
    from trips as t
    left join expansion_weights as w
        on w.segment_group = split_part(t.segment, ':', 1)
        and w.month_start = cast(date_trunc('month', t.day) as date)
    group by t.day, t.level, t.origin, t.destination, split_part(t.segment, ':', 1), t.visitor_type
),
final as (
    select day, level, origin, destination, segment_group, visitor_type, trips, est_people
    from grouped
)
select * from final
order by level, day
