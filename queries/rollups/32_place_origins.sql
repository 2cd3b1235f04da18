-- Visits per place by month and full origin segment (province or country), for the origin mix of a place.
create or replace table place_origins as
with final as (
    select
        v.place_id,
        date_trunc('month', v.visit_start)::date as month_start,  -- first day of the local month
        v.segment,                                                 -- resident | domestic:<Province> | international:<ISO2>
        split_part(v.segment, ':', 1) as segment_group,
        v.visitor_type,
        count(*)::bigint as visits                                 -- visits (count)
    from place_visits as v
    group by v.place_id, date_trunc('month', v.visit_start)::date, v.segment, v.visitor_type
    union all
    -- no place visits from stays (an operator's aggregated presence): arrivals in the place's cell
    select
        place_id, date_trunc('month', visit_start)::date, segment, split_part(segment, ':', 1), visitor_type,
        sum(visits)::bigint
    from place_arrivals
    group by all
)
select * from final
order by place_id, month_start
