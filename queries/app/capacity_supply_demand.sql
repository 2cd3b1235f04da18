-- Accommodation supply (rooms, beds) against overnight demand per zone for the filters, with the pressure index.
with supply as (
    select
        p.zone_id,
        count(*)::bigint as accommodations,                                   -- accommodation places
        coalesce(sum(p.rooms), 0)::bigint as rooms,                           -- rooms
        coalesce(sum(coalesce(p.capacity, p.rooms * 2)), 0)::bigint as beds,  -- guests (capacity, else rooms x 2)
        count(*) filter (where p.estimated)::bigint as estimated_places       -- places with estimated rooms
    from places as p
    where p.layer = 'accommodation' and p.zone_id is not null
    group by p.zone_id
),
nights_in_view as (
    select count(distinct zn.night)::bigint as nights
    from zone_nightly as zn
    where zn.night between $start and $end
      and list_contains($weekdays, zn.weekday)
),
nightly as (
    select zn.zone_id, zn.night, sum(zn.overnight_visitors)::bigint as visitors
    from zone_nightly as zn
    where zn.night between $start and $end
      and list_contains($weekdays, zn.weekday)
      and list_contains($segments, zn.segment_group)
    group by zn.zone_id, zn.night
),
demand as (
    select zone_id, sum(visitors)::bigint as visitor_nights, max(visitors)::bigint as peak_overnight
    from nightly
    group by zone_id
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
        coalesce(d.peak_overnight, 0) as peak_overnight
    from zones as z
    cross join nights_in_view as n
    left join supply as s on s.zone_id = z.zone_id
    left join demand as d on d.zone_id = z.zone_id
    where z.level = $zone_level
),
final as (
    select
        zone_id, name_en, name_th, name_zh, accommodations, rooms, beds, estimated_places, nights, visitor_nights,
        case when nights > 0 then visitor_nights / nights else 0.0 end as overnight_per_night,  -- persons
        peak_overnight,
        case when beds > 0 and nights > 0 then visitor_nights / nights / beds end as pressure,   -- ratio
        case when beds > 0 then peak_overnight / beds end as peak_pressure                    -- ratio
    from joined
)
select * from final
order by zone_id
