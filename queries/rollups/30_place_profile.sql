-- Visits per place by month, weekday, hour of arrival and segment group (the Places page's visitor profile).
create or replace table place_profile as
with visits as (
    select
        v.place_id,
        date_trunc('month', v.visit_start)::date as month_start,  -- first day of the local month
        (isodow(v.visit_start) - 1)::tinyint as weekday,           -- 0 = Monday .. 6 = Sunday
        hour(v.visit_start)::tinyint as hour,                      -- local hour of arrival, 0..23
        split_part(v.segment, ':', 1) as segment_group,            -- domestic | international | resident
        v.dwell_minutes
    from place_visits as v
),
counted as (
    select
        place_id, month_start, weekday, hour, segment_group,
        count(*)::bigint as visits,                                -- visits (count)
        sum(dwell_minutes)::double as dwell_minutes                -- total dwell (minutes)
    from visits
    group by place_id, month_start, weekday, hour, segment_group
    union all
    -- no place visits from stays (an operator's aggregated presence): arrivals in the place's cell
    select
        place_id, date_trunc('month', visit_start)::date, (isodow(visit_start) - 1)::tinyint,
        hour(visit_start)::tinyint, split_part(segment, ':', 1), sum(visits)::bigint, sum(dwell_minutes)::double
    from place_arrivals
    group by all
),
final as (
    -- est_people: visits × the expansion weight of the segment group and month (estimated visits, ESTIMATE)
    select f.*, f.visits * coalesce(w.weight, 1.0) as est_people
    from counted as f
    left join expansion_weights as w on w.segment_group = f.segment_group and w.month_start = f.month_start
)
select * from final
order by place_id, month_start
