-- Person-days by main zone, per device and month (read by geo/publish, which counts and suppresses them;
-- device ids never leave the publishing process). A person-day is one device on one local day with a stay;
-- its main zone is the tourism zone where the device spent the most time that day ('' = outside every zone;
-- on a tie the smallest zone id), so every person-day counts in exactly one zone and the zones add up to the
-- city. A stay crossing midnight is split at it; a zero-length stay keeps its day with no time.
with parts as (
    select
        device,
        zone_id,
        segment,
        visitor_type,
        stay_start,
        stay_end,
        cast(unnest(generate_series(
            cast(cast(stay_start as date) as timestamp),
            cast(cast(stay_end as date) as timestamp),
            interval 1 day
        )) as date) as day
    from stays
),

clipped as (
    select
        day,
        device,
        coalesce(zone_id, '') as zone_id,
        segment,
        visitor_type,
        date_diff(
            'second',
            greatest(stay_start, cast(day as timestamp)),
            least(stay_end, cast(day as timestamp) + interval 1 day)
        ) as seconds
    from parts
    where stay_start = stay_end
       or least(stay_end, cast(day as timestamp) + interval 1 day) > greatest(stay_start, cast(day as timestamp))
),

zone_time as (
    select day, device, zone_id, any_value(segment) as segment, any_value(visitor_type) as visitor_type,
        sum(seconds) as seconds
    from clipped
    group by day, device, zone_id
),

ranked as (
    select day, device, zone_id, segment, visitor_type,
        row_number() over (partition by day, device order by seconds desc, zone_id) as rank
    from zone_time
),

final as (
    select
        cast(date_trunc('month', day) as date) as month_start,
        device,
        zone_id,
        segment,                                          -- resident | domestic:<Province> | international:<ISO2>
        split_part(segment, ':', 1) as segment_group,
        visitor_type,
        cast(count(*) as integer) as people_days          -- days of the month with this main zone
    from ranked
    where rank = 1
    group by 1, 2, 3, 4, 5, 6
)

select month_start, device, zone_id, segment, segment_group, visitor_type, people_days from final
order by month_start, device, zone_id
