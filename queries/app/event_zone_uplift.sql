-- Per tourism zone: visitors per day (people-days of non-residents, in the chosen measure) on an event's days
-- and on its baseline days, each summed over its days (the service divides by the day counts).
-- $event_days / $baseline_days: local days with presence data (lists of dates, disjoint).
with zone_days as (
    select
        zd.day,
        zd.zone_id,
        sum(zd.{{measure}})::double as visitors
    from presence_zone_daily as zd
    where split_part(zd.segment, ':', 1) <> 'resident'
      and (list_contains($event_days, zd.day) or list_contains($baseline_days, zd.day))
    group by zd.day, zd.zone_id
),

sums as (
    select
        zone_id,
        coalesce(sum(visitors) filter (where list_contains($event_days, day)), 0) as event_total,
        coalesce(sum(visitors) filter (where list_contains($baseline_days, day)), 0) as baseline_total
    from zone_days
    group by zone_id
),

final as (
    select
        z.zone_id,
        z.name_en,
        z.name_th,
        coalesce(s.event_total, 0)::double as event_total,        -- people-days over the event's days
        coalesce(s.baseline_total, 0)::double as baseline_total   -- people-days over the baseline days
    from zones as z
    left join sums as s on s.zone_id = z.zone_id
    where z.level = 'tourism_zone'
)

select * from final
order by zone_id
