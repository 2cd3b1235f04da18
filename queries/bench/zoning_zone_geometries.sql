-- Exact (unsimplified) zone outlines of one level as WKB, for geo.zoning's point-to-zone index.
with final as (
    select
        zone_id,
        st_aswkb(geom) as wkb
    from zones
    where level = $level
)

select zone_id, wkb from final
order by zone_id
