-- Public person-days by main zone for a month range and segment groups (pub_zone_days summed over months;
-- zone_id '' and outside = true for person-days spent mostly outside every tourism zone).
with by_zone as (
    select
        coalesce(zd.zone_id, '') as zone_id,
        sum(zd.people_days)::bigint as visitors,
        coalesce(sum(zd.people_days) filter (where zd.visitor_type = 'overnight'), 0)::bigint as overnight,
        coalesce(sum(zd.people_days) filter (where zd.visitor_type = 'day_tripper'), 0)::bigint as day_trippers,
        coalesce(sum(zd.people_days) filter (where zd.visitor_type = 'resident'), 0)::bigint as residents,
        coalesce(sum(zd.people_days) filter (where zd.segment_group = 'international'), 0)::bigint as international,
        sum(zd.est_people_days)::double as est_visitors
    from pub_zone_days as zd
    where zd.month_start between $first_month and $last_month
      and list_contains($segments, zd.segment_group)
    group by coalesce(zd.zone_id, '')
),

final as (
    select
        b.zone_id,
        z.name_en,
        z.name_th,
        b.zone_id = '' as outside,
        b.visitors,                                        -- person-days with this main zone
        b.overnight,
        b.day_trippers,
        b.residents,
        b.international,
        b.est_visitors                                     -- ESTIMATE: person-days × the published weights
    from by_zone as b
    left join zones as z on z.zone_id = b.zone_id
)

select * from final
order by outside, visitors desc, zone_id
