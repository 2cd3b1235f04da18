-- Presence per H3 cell by day × hour of day × segment group: the cell-keyed twin of presence_hourly, so
-- the Overview can sum people-hours over the cells of any zone level (cell_zones) for a date range.
-- visitors: hourly unique devices in the cell (people present in that hour; summed over hours they are
-- people-hours); dwell_minutes: minutes present. Additive over cells, so a zone's figure is exactly the
-- sum of its cells'.
create or replace table presence_cell_hourly as
with hourly as (
    select
        cast(v.ts_hour as date) as day,
        cast(hour(v.ts_hour) as tinyint) as hour,
        v.cell,
        split_part(v.segment, ':', 1) as segment_group,
        v.visitors,
        v.visitors * coalesce(w.weight, 1.0) as est_people,
        v.dwell_minutes
    from visits_hourly as v
    left join expansion_weights as w
        on w.segment_group = split_part(v.segment, ':', 1)
        and w.month_start = cast(date_trunc('month', v.ts_hour) as date)
),

final as (
    select
        day,                                      -- local date
        hour,                                     -- local hour of day, 0..23
        cell,                                     -- H3 index (UBIGINT)
        segment_group,                            -- domestic | international | resident
        cast(sum(visitors) as bigint) as visitors,  -- people present in the hour (unique devices)
        sum(est_people) as est_people,            -- ESTIMATE: visitors x expansion weight (segment group, month)
        sum(dwell_minutes) as dwell_minutes       -- minutes present
    from hourly
    group by day, hour, cell, segment_group
)

select * from final
order by day, hour, cell
