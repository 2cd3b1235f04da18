-- Place visits by day × starting hour × place × segment group.
-- visits: place visits that started in that hour; dwell_minutes: their total minutes on site.
create or replace table presence_place_daily as
with visits as (
    select
        cast(visit_start as date) as day,
        cast(hour(visit_start) as tinyint) as hour,
        place_id,
        split_part(segment, ':', 1) as segment_group,
        dwell_minutes
    from place_visits
),

counted as (
    select
        day,
        hour,
        place_id,
        segment_group,
        cast(count(*) as bigint) as visits,
        sum(dwell_minutes) as dwell_minutes
    from visits
    group by day, hour, place_id, segment_group
    union all
    -- no place visits from stays (an operator's aggregated presence): arrivals in the place's cell
    select
        cast(visit_start as date), cast(hour(visit_start) as tinyint), place_id, split_part(segment, ':', 1),
        cast(sum(visits) as bigint), sum(dwell_minutes)
    from place_arrivals
    group by all
),

final as (
    -- est_people: visits × the expansion weight of the segment group and month (estimated visits, ESTIMATE)
    select f.*, f.visits * coalesce(w.weight, 1.0) as est_people
    from counted as f
    left join expansion_weights as w
        on w.segment_group = f.segment_group
        and w.month_start = cast(date_trunc('month', f.day) as date)
)

select * from final
order by day, place_id
