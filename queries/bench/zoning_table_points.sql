-- Point coordinates of one atlas table in storage order, for geo.zoning.read_points (table from the allow-list).
with final as (
    select
        lon,  -- degrees east, WGS84
        lat   -- degrees north, WGS84
    from {{table}}
)

select lon, lat from final
