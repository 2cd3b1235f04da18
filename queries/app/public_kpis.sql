-- Public Overview KPIs for a month range ($first_month..$last_month, first days of months) and segment groups,
-- every figure a sum of published rows: person-days by visitor type and international (pub_zone_days, all
-- zones and outside), days with data (pub_calendar), attraction visits and minutes (pub_place_visits), the
-- busiest tourism zone (person-days by main zone) and the busiest hour (people-hours, pub_presence). est_*: the
-- ESTIMATED person-days beside them (est_people_days, published weight × person-days).
with days as (
    select coalesce(sum(c.days), 0)::bigint as days_with_data
    from pub_calendar as c
    where c.month_start between $first_month and $last_month
),

zone_days as (
    select zd.zone_id, zd.segment_group, zd.visitor_type, zd.people_days, zd.est_people_days
    from pub_zone_days as zd
    where zd.month_start between $first_month and $last_month
      and list_contains($segments, zd.segment_group)
),

totals as (
    select
        coalesce(sum(people_days), 0)::bigint as visitors,
        coalesce(sum(people_days) filter (where visitor_type = 'overnight'), 0)::bigint as overnight,
        coalesce(sum(people_days) filter (where visitor_type = 'day_tripper'), 0)::bigint as day_trippers,
        coalesce(sum(people_days) filter (where visitor_type = 'resident'), 0)::bigint as residents,
        coalesce(sum(people_days) filter (where segment_group = 'international'), 0)::bigint as international,
        coalesce(sum(est_people_days), 0)::double as est_visitors,
        coalesce(sum(est_people_days) filter (where visitor_type = 'overnight'), 0)::double as est_overnight,
        coalesce(sum(est_people_days) filter (where visitor_type = 'day_tripper'), 0)::double as est_day_trippers,
        coalesce(sum(est_people_days) filter (where visitor_type = 'resident'), 0)::double as est_residents,
        coalesce(sum(est_people_days) filter (where segment_group = 'international'), 0)::double as est_international
    from zone_days
),

zone_ranked as (
    select zone_id, sum(people_days)::bigint as visitors
    from zone_days
    where zone_id is not null
    group by zone_id
    order by visitors desc, zone_id
    limit 1
),

hour_ranked as (
    select pp.hour, sum(pp.people_hours)::bigint as visitor_hours
    from pub_presence as pp
    where pp.month_start between $first_month and $last_month
      and list_contains($segments, pp.segment_group)
    group by pp.hour
    order by visitor_hours desc, pp.hour
    limit 1
),

place_totals as (
    select
        coalesce(sum(pv.visits), 0)::bigint as place_visits,          -- visits to attractions (count)
        coalesce(sum(pv.dwell_minutes), 0) as place_dwell_minutes     -- minutes on site
    from pub_place_visits as pv
    inner join places as p on p.place_id = pv.place_id and p.layer = 'attraction'
    where pv.month_start between $first_month and $last_month
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
        coalesce(zr.visitors, 0)::bigint as busiest_zone_visitors,
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
