-- Overnight visitors present in each zone at 02:00, per night and segment group (the pressure index's demand side).
create or replace table zone_nightly as
with at_two as (
    select
        (h.ts_hour - interval 1 day)::date as night,    -- the night is named after the evening it began
        h.zone_id,
        split_part(h.segment, ':', 1) as segment_group,
        h.visitors,
        h.visitors * coalesce(w.weight, 1.0) as est_people
    from visits_hourly as h
    left join expansion_weights as w
        on w.segment_group = split_part(h.segment, ':', 1)
        and w.month_start = cast(date_trunc('month', h.ts_hour) as date)
    where hour(h.ts_hour) = 2 and h.visitor_type = 'overnight'
),
final as (
    select
        night, zone_id, segment_group,
        (isodow(night) - 1)::tinyint as weekday,        -- weekday of the evening, 0 = Monday
        sum(visitors)::bigint as overnight_visitors,    -- overnight visitors present at 02:00 (persons)
        sum(est_people) as est_people                   -- ESTIMATE: the same × expansion weight (persons)
    from at_two
    group by night, zone_id, segment_group
)
select * from final
order by night, zone_id
