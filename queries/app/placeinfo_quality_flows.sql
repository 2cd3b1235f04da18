-- Data-quality figures for the flow tables, from the coverage rollups (date range, gaps, cells without data).
with days as (
    select
        min(day) as first_day,
        max(day) as last_day,
        count(*) filter (where presence_rows > 0)::bigint as days_with_presence,
        count(*) filter (where trip_rows > 0)::bigint as days_with_trips,
        count(*) filter (where presence_rows > 0 and hours_with_data < 24)::bigint as days_partial_hours
    from daily_coverage
),
cell_figures as (
    select
        (select count(*) from cells)::bigint as cells,
        count(*) filter (where cc.visitor_hours > 0)::bigint as cells_with_data
    from cells as c
    left join cell_coverage as cc on cc.cell = c.cell
),
final as (
    select
        d.first_day, d.last_day,
        coalesce(date_diff('day', d.first_day, d.last_day) + 1, 0)::bigint as days_in_range,
        d.days_with_presence, d.days_with_trips, d.days_partial_hours,
        c.cells, c.cells_with_data
    from days as d
    cross join cell_figures as c
)
select * from final
