-- Presence per H3 cell by day × hour of day × segment group: the cell-keyed twin of presence_hourly, so
-- the Overview can sum people-hours over the cells of any zone level (cell_zones) for a date range.
-- visitors: hourly unique devices in the cell (people present in that hour; summed over hours they are
-- people-hours); dwell_minutes: minutes present. Additive over cells, so a zone's figure is exactly the
-- sum of its cells'.
create or replace table presence_cell_hourly as
with final as (
    select
        day,                                      -- local date
        hour,                                     -- local hour of day, 0..23
        cell,                                     -- H3 index (UBIGINT)
        segment_group,                            -- domestic | international | resident
        cast(sum(visitors) as bigint) as visitors,  -- people present in the hour (unique devices)
        sum(est_people) as est_people,            -- ESTIMATE: visitors x expansion weight (segment group, month)
        sum(dwell_minutes) as dwell_minutes       -- minutes present
    from presence_weighted  -- visits_hourly with segment_group and est_people (10_presence_weighted.sql)
    group by day, hour, cell, segment_group
)

select * from final
order by day, hour, cell
