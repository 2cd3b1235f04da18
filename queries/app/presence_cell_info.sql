-- One H3 cell with its centre and tourism zone (for the density drill-down).
with final as (
    select c.cell, c.lat, c.lon, c.zone_id, z.name_en as zone_name, z.name_th as zone_name_th
    from cells as c
    left join zones as z on z.zone_id = c.zone_id
    where c.cell = $cell
)

select * from final
