-- Zone code of every cell of the cells table, in cell order: the stream engine looks up the H3 cell of
-- each rounded stay centre here (geo/build/pipeline.py, _CellCache) and sends only the centres whose cell
-- is not in the table to create_stay_cells.sql (its point-in-zone fallback). Codes as the outputs store
-- them (labels, kind 'zone'); -1 for a zone without a label.
with final as (
    select
        c.cell,
        coalesce(l.code, -1) as zone_code
    from cells as c
    left join labels as l on l.kind = 'zone' and l.label = c.zone_id
)

select cell, zone_code from final
order by cell
