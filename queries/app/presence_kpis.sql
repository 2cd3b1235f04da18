-- Overview KPIs for one period: people-days by visitor type, international people-days, days with data,
-- attraction visits and their dwell, the busiest zone (people-days) and busiest hour (people present per day).
-- People present in the selected hours: first_hour <= $hour_to and last_hour >= $hour_from.
with daily as (
    select
        d.visitor_type,                                      -- resident | overnight | day_tripper
        split_part(d.segment, ':', 1) as segment_group,      -- domestic | international | resident
        d.visitors,                                          -- people-days (unique devices per day)
        d.est_people                                         -- ESTIMATE: people-days × expansion weight
    from presence_daily as d
    where d.day between $start and $end
      and list_contains($weekdays, isodow(d.day) - 1)
      and d.first_hour <= $hour_to and d.last_hour >= $hour_from
      and list_contains($segments, split_part(d.segment, ':', 1))
),

totals as (
    select
        coalesce(sum(visitors), 0)::bigint as visitors,
        coalesce(sum(visitors) filter (where visitor_type = 'overnight'), 0)::bigint as overnight,
        coalesce(sum(visitors) filter (where visitor_type = 'day_tripper'), 0)::bigint as day_trippers,
        coalesce(sum(visitors) filter (where visitor_type = 'resident'), 0)::bigint as residents,
        coalesce(sum(visitors) filter (where segment_group = 'international'), 0)::bigint as international,
        coalesce(sum(est_people), 0) as est_visitors,
        coalesce(sum(est_people) filter (where visitor_type = 'overnight'), 0) as est_overnight,
        coalesce(sum(est_people) filter (where visitor_type = 'day_tripper'), 0) as est_day_trippers,
        coalesce(sum(est_people) filter (where visitor_type = 'resident'), 0) as est_residents,
        coalesce(sum(est_people) filter (where segment_group = 'international'), 0) as est_international
    from daily
),

days as (
    select count(*)::bigint as days_with_data
    from presence_days as pd
    where pd.day between $start and $end
      and list_contains($weekdays, pd.weekday)
),

place_totals as (
    select
        coalesce(sum(pv.visits), 0)::bigint as place_visits,          -- visits to attractions (count)
        coalesce(sum(pv.dwell_minutes), 0) as place_dwell_minutes     -- minutes on site
    from presence_place_daily as pv
    join places as p on p.place_id = pv.place_id and p.layer = 'attraction'
    where pv.day between $start and $end
      and list_contains($weekdays, isodow(pv.day) - 1)
      and pv.hour between $hour_from and $hour_to
      and list_contains($segments, pv.segment_group)
),

zone_ranked as (
    select zd.zone_id, sum(zd.visitors)::bigint as visitors
    from presence_zone_daily as zd
    where zd.day between $start and $end
      and list_contains($weekdays, isodow(zd.day) - 1)
      and zd.first_hour <= $hour_to and zd.last_hour >= $hour_from
      and list_contains($segments, split_part(zd.segment, ':', 1))
    group by zd.zone_id
    order by visitors desc, zd.zone_id
    limit 1
),

hour_ranked as (
    select ph.hour, sum(ph.visitors)::bigint as visitor_hours
    from presence_hourly as ph
    where ph.day between $start and $end
      and list_contains($weekdays, isodow(ph.day) - 1)
      and ph.hour between $hour_from and $hour_to
      and list_contains($segments, ph.segment_group)
    group by ph.hour
    order by visitor_hours desc, ph.hour
    limit 1
),

final as (
    select
        t.visitors,
        t.overnight,
        t.day_trippers,
        t.residents,
        t.international,
        t.est_visitors,
        t.est_overnight,
        t.est_day_trippers,
        t.est_residents,
        t.est_international,
        d.days_with_data,
        p.place_visits,
        p.place_dwell_minutes,
        zr.zone_id as busiest_zone_id,
        z.name_en as busiest_zone_name,
        zr.visitors as busiest_zone_visitors,
        hr.hour as busiest_hour,
        hr.visitor_hours as busiest_hour_visitor_hours
    from totals as t
    cross join days as d
    cross join place_totals as p
    left join zone_ranked as zr on true
    left join zones as z on z.zone_id = zr.zone_id
    left join hour_ranked as hr on true
)

select * from final
