-- Overnight visitors present in each H3 cell at 02:00, per night and segment group: the cell-keyed twin
-- of zone_nightly, so the pressure index can be computed for any zone level (cell_zones). Summed over
-- the cells of a tourism zone it equals zone_nightly.
create or replace table cell_nightly as
with at_two as (
    select
        (h.ts_hour - interval 1 day)::date as night,    -- the night is named after the evening it began
        h.cell,
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
        night,
        cell,                                           -- H3 index (UBIGINT)
        segment_group,
        (isodow(night) - 1)::tinyint as weekday,        -- weekday of the evening, 0 = Monday
        sum(visitors)::bigint as overnight_visitors,    -- overnight visitors present at 02:00 (persons)
        sum(est_people) as est_people                   -- ESTIMATE: the same × expansion weight (persons)
    from at_two
    group by night, cell, segment_group
)

select * from final
order by night, cell
