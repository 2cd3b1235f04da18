-- One zone's figures for the period: people-days by visitor type and origin group, and hours in the zone.
with daily as (
    select
        zd.visitor_type,
        split_part(zd.segment, ':', 1) as segment_group,
        zd.visitors,                                          -- people-days in the zone
        zd.dwell_minutes                                      -- minutes of stays in the zone
    from presence_zone_daily as zd
    where zd.zone_id = $zone_id
      and zd.day between $start and $end
      and list_contains($weekdays, isodow(zd.day) - 1)
      and zd.first_hour <= $hour_to and zd.last_hour >= $hour_from
      and list_contains($segments, split_part(zd.segment, ':', 1))
),

days as (
    select count(*)::bigint as days_with_data
    from presence_days as pd
    where pd.day between $start and $end
      and list_contains($weekdays, pd.weekday)
),

final as (
    select
        z.zone_id,
        z.name_en,
        z.name_th,
        z.area_km2,
        coalesce(sum(d.visitors), 0)::bigint as visitors,
        coalesce(sum(d.visitors) filter (where d.visitor_type = 'overnight'), 0)::bigint as overnight,
        coalesce(sum(d.visitors) filter (where d.visitor_type = 'day_tripper'), 0)::bigint as day_trippers,
        coalesce(sum(d.visitors) filter (where d.visitor_type = 'resident'), 0)::bigint as residents,
        coalesce(sum(d.visitors) filter (where d.segment_group = 'international'), 0)::bigint as international,
        coalesce(sum(d.dwell_minutes), 0) as dwell_minutes,
        any_value(dy.days_with_data) as days_with_data
    from zones as z
    cross join days as dy
    left join daily as d on true
    where z.zone_id = $zone_id
    group by z.zone_id, z.name_en, z.name_th, z.area_km2
)

select * from final
