-- Public accommodation supply against overnight demand per tourism zone for a month range, weekdays (of the
-- evening a night begins) and segment groups. Demand: domestic and international people present at 02:00 in
-- the zone (its published cells and rest, pub_presence), per night with data; residents are not visitors.
-- A 02:00 row of weekday w belongs to the night of the evening before ((w + 6) % 7). Supply: the zone's
-- accommodation (public facts): beds = capacity, else rooms × 2. peak = the busiest month's average night.
with supply as (
    select
        p.zone_id,
        count(*)::bigint as accommodations,
        coalesce(sum(p.rooms), 0)::bigint as rooms,
        coalesce(sum(coalesce(p.capacity, p.rooms * 2)), 0)::bigint as beds,
        count(*) filter (where p.estimated)::bigint as estimated_places
    from places as p
    where p.layer = 'accommodation' and p.zone_id is not null
    group by p.zone_id
),

monthly_nights as (
    select c.month_start, sum(c.days)::bigint as nights
    from pub_calendar as c
    where c.month_start between $first_month and $last_month
      and list_contains($weekdays, (c.weekday + 6) % 7)
    group by c.month_start
),

nights_in_view as (
    select coalesce(sum(nights), 0)::bigint as nights
    from monthly_nights
),

monthly as (
    select
        pp.zone_id, pp.month_start, sum(pp.people_hours)::bigint as visitor_nights,
        sum(pp.est_people_hours)::double as est_visitor_nights
    from pub_presence as pp
    where pp.hour = 2
      and pp.zone_id is not null
      and pp.month_start between $first_month and $last_month
      and list_contains($weekdays, (pp.weekday + 6) % 7)
      and list_contains($segments, pp.segment_group)
      and pp.segment_group in ('domestic', 'international')
    group by pp.zone_id, pp.month_start
),

demand as (
    select
        m.zone_id,
        sum(m.visitor_nights)::bigint as visitor_nights,
        sum(m.est_visitor_nights)::double as est_visitor_nights,
        max(m.visitor_nights / n.nights) as peak_overnight
    from monthly as m
    inner join monthly_nights as n on n.month_start = m.month_start
    where n.nights > 0
    group by m.zone_id
),

joined as (
    select
        z.zone_id, z.name_en, z.name_th, z.name_zh,
        coalesce(s.accommodations, 0) as accommodations,
        coalesce(s.rooms, 0) as rooms,
        coalesce(s.beds, 0) as beds,
        coalesce(s.estimated_places, 0) as estimated_places,
        n.nights,
        coalesce(d.visitor_nights, 0) as visitor_nights,
        coalesce(d.est_visitor_nights, 0.0) as est_visitor_nights,
        coalesce(d.peak_overnight, 0.0) as peak_overnight
    from zones as z
    cross join nights_in_view as n
    left join supply as s on s.zone_id = z.zone_id
    left join demand as d on d.zone_id = z.zone_id
),

final as (
    select
        zone_id, name_en, name_th, name_zh, accommodations, rooms, beds, estimated_places, nights, visitor_nights,
        case when nights > 0 then visitor_nights / nights else 0.0 end as overnight_per_night,  -- persons
        peak_overnight,                                                                        -- persons
        case when nights > 0 then est_visitor_nights / nights else 0.0 end as est_overnight_per_night,  -- ESTIMATE
        case when beds > 0 and nights > 0 then visitor_nights / nights / beds end as pressure,   -- ratio
        case when beds > 0 then peak_overnight / beds end as peak_pressure                    -- ratio
    from joined
)

select * from final
order by zone_id
