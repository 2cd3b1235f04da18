-- People-days by origin segment for the period, in the whole city ($zone_id = '') or in one zone.
with city as (
    select d.segment, sum(d.visitors)::bigint as visitors
    from presence_daily as d
    where $zone_id = ''
      and d.day between $start and $end
      and list_contains($weekdays, isodow(d.day) - 1)
      and d.first_hour <= $hour_to and d.last_hour >= $hour_from
      and list_contains($segments, split_part(d.segment, ':', 1))
    group by d.segment
),

zone as (
    select zd.segment, sum(zd.visitors)::bigint as visitors
    from presence_zone_daily as zd
    where zd.zone_id = $zone_id
      and zd.day between $start and $end
      and list_contains($weekdays, isodow(zd.day) - 1)
      and zd.first_hour <= $hour_to and zd.last_hour >= $hour_from
      and list_contains($segments, split_part(zd.segment, ':', 1))
    group by zd.segment
),

final as (
    select
        segment,                                         -- resident | domestic:<Province> | international:<ISO2>
        split_part(segment, ':', 1) as segment_group,
        coalesce(nullif(split_part(segment, ':', 2), ''), 'Chiang Mai residents') as origin,
        visitors                                         -- people-days
    from (select segment, visitors from city union all select segment, visitors from zone)
)

select * from final
order by visitors desc, segment
