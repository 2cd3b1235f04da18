-- Place visits (step 3): stays at a place, with back-to-back stays at the same place (no other stay
-- in between, at most $visit_merge_gap_minutes apart) merged into one visit.
insert into place_visits (device, place_id, visit_start, visit_end, dwell_minutes, segment, visitor_type, n_stays)
with ordered as (
    select
        device,
        place_id,
        stay_start,
        stay_end,
        segment,
        visitor_type,
        lag(place_id) over w as prev_place_id,
        lag(stay_end) over w as prev_end
    from stays
    window w as (partition by device order by stay_start)
),

numbered as (
    select
        *,
        sum(
            case
                when place_id = prev_place_id
                    and epoch_ms(stay_start) - epoch_ms(prev_end) <= $visit_merge_gap_minutes * 60000
                    then 0
                else 1
            end
        ) over (partition by device order by stay_start rows between unbounded preceding and current row) as visit_no
    from ordered
),

final as (
    select
        device,
        min(place_id) as place_id,
        min(stay_start) as visit_start,
        max(stay_end) as visit_end,
        (epoch_ms(max(stay_end)) - epoch_ms(min(stay_start))) / 60000.0 as dwell_minutes,  -- minutes
        min(segment) as segment,
        min(visitor_type) as visitor_type,
        cast(count(*) as integer) as n_stays
    from numbered
    where place_id is not null
    group by device, visit_no
)

select * from final
