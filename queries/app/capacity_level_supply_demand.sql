-- Accommodation supply (rooms, beds) against overnight demand per zone of level $level, with the pressure
-- index, for levels other than the tourism zones. Supply and demand are both placed by H3 cell through
-- cell_zones (a place by the cell holding it, demand from the cell-keyed cell_nightly rollup), so a zone's
-- beds and its overnight visitors cover the same cells. One extra row (outside = true, zone_id '') holds
-- the places and demand in cells of no zone of the level: zones + outside = the whole city.
with supply_cells as (
    select
        p.cell,
        count(*)::bigint as accommodations,                                   -- accommodation places
        coalesce(sum(p.rooms), 0)::bigint as rooms,                           -- rooms
        coalesce(sum(coalesce(p.capacity, p.rooms * 2)), 0)::bigint as beds,  -- capacity, else rooms x 2
        count(*) filter (where p.estimated)::bigint as estimated_places       -- places with estimated rooms
    from places as p
    where p.layer = 'accommodation'
    group by p.cell
),

supply as (
    select
        coalesce(cz.zone_id, '') as zone_id,                                  -- '': in no zone of the level
        sum(s.accommodations)::bigint as accommodations,
        sum(s.rooms)::bigint as rooms,
        sum(s.beds)::bigint as beds,
        sum(s.estimated_places)::bigint as estimated_places
    from supply_cells as s
    left join cell_zones as cz on cz.cell = s.cell and cz.level = $level
    group by coalesce(cz.zone_id, '')
),

nights_in_view as (
    select count(distinct cn.night)::bigint as nights
    from cell_nightly as cn
    where cn.night between $start and $end
      and list_contains($weekdays, cn.weekday)
),

nightly as (
    select coalesce(cz.zone_id, '') as zone_id, cn.night, sum(cn.overnight_visitors)::bigint as visitors,
        sum(cn.est_people) as est_visitors  -- ESTIMATE (persons)
    from cell_nightly as cn
    left join cell_zones as cz on cz.cell = cn.cell and cz.level = $level
    where cn.night between $start and $end
      and list_contains($weekdays, cn.weekday)
      and list_contains($segments, cn.segment_group)
    group by coalesce(cz.zone_id, ''), cn.night
),

demand as (
    select
        zone_id, sum(visitors)::bigint as visitor_nights, max(visitors)::bigint as peak_overnight,
        sum(est_visitors) as est_visitor_nights, max(est_visitors) as est_peak_overnight
    from nightly
    group by zone_id
),

areas as (
    select z.zone_id, z.name_en, z.name_th, false as outside
    from zones as z
    where z.level = $level
    union all
    select '' as zone_id, null as name_en, null as name_th, true as outside
),

joined as (
    select
        a.zone_id, a.name_en, a.name_th, a.outside,
        coalesce(s.accommodations, 0) as accommodations,
        coalesce(s.rooms, 0) as rooms,
        coalesce(s.beds, 0) as beds,
        coalesce(s.estimated_places, 0) as estimated_places,
        n.nights,
        coalesce(d.visitor_nights, 0) as visitor_nights,
        coalesce(d.peak_overnight, 0) as peak_overnight,
        coalesce(d.est_visitor_nights, 0) as est_visitor_nights,
        coalesce(d.est_peak_overnight, 0) as est_peak_overnight
    from areas as a
    cross join nights_in_view as n
    left join supply as s on s.zone_id = a.zone_id
    left join demand as d on d.zone_id = a.zone_id
),

final as (
    select
        zone_id, name_en, name_th, outside, accommodations, rooms, beds, estimated_places, nights,
        visitor_nights,
        case when nights > 0 then visitor_nights / nights else 0.0 end as overnight_per_night,  -- persons
        peak_overnight,
        case when nights > 0 then est_visitor_nights / nights else 0.0 end as est_overnight_per_night,  -- ESTIMATE
        est_peak_overnight,                                                                            -- ESTIMATE
        case when beds > 0 and nights > 0 then visitor_nights / nights / beds end as observed_pressure,   -- ratio (observed devices ÷ listed beds)
        case when beds > 0 then peak_overnight / beds end as observed_peak_pressure        -- ratio
    from joined
)

select * from final
order by outside, zone_id
