-- Place visits (step 3): stays at a place, with back-to-back stays at the same place (no other stay
-- in between, at most $visit_merge_gap_minutes apart) merged into one visit.
-- One window over the stays tells whether a stay continues the previous one and whether the next
-- continues it; a stay doing neither is a visit by itself (nearly all), and only the few chained stays
-- are numbered and grouped.
-- Works on the coded stays (stays_data) and writes codes (labels table).
insert into place_visits_data (
    device, place_code, visit_start, visit_end, dwell_minutes, segment_code, visitor_type_code, n_stays
)
with linked as (
    select
        device,
        place_code,
        stay_start,
        stay_end,
        segment_code,
        visitor_type_code,
        coalesce(
            place_code = lag(place_code) over w
            and epoch_us(stay_start) - epoch_us(lag(stay_end) over w) <= cast($visit_merge_gap_minutes as double) * 60000000,
            false
        ) as continues,                      -- this stay continues the previous stay's visit
        coalesce(
            place_code = lead(place_code) over w
            and epoch_us(lead(stay_start) over w) - epoch_us(stay_end) <= cast($visit_merge_gap_minutes as double) * 60000000,
            false
        ) as continued                       -- the next stay continues this one's visit
    from stays_data
    window w as (partition by device order by stay_start)
),

single as (
    select device, place_code, stay_start as visit_start, stay_end as visit_end, segment_code, visitor_type_code, 1 as n_stays
    from linked
    where place_code is not null and not continues and not continued
),

chained as (
    select
        *,
        sum(case when continues then 0 else 1 end)
            over (partition by device order by stay_start rows between unbounded preceding and current row) as visit_no
    from linked
    where continues or continued
),

merged as (
    select
        device,
        min(place_code) as place_code,
        min(stay_start) as visit_start,
        max(stay_end) as visit_end,
        min(segment_code) as segment_code,
        min(visitor_type_code) as visitor_type_code,
        count(*) as n_stays
    from chained
    group by device, visit_no
),

final as (
    select
        device,
        place_code,
        visit_start,
        visit_end,
        (epoch_us(visit_end) - epoch_us(visit_start)) / 60000000.0 as dwell_minutes,  -- minutes
        segment_code,
        visitor_type_code,
        cast(n_stays as integer) as n_stays
    from (
        select * from single
        union all
        select * from merged
    )
)

select * from final
