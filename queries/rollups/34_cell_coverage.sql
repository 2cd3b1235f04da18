-- Presence rows and visitor-hours per H3 cell (the Data page's cells-without-data note).
create or replace table cell_coverage as
with final as (
    select
        cell,
        count(*)::bigint as presence_rows,          -- visits_hourly rows of the cell
        sum(visitors)::bigint as visitor_hours      -- sum of hourly visitors
    from visits_hourly
    group by cell
)
select * from final
order by cell
