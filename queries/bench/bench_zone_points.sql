-- Benchmark input: up to $n ping coordinates (storage order) for the zone-join comparison.
with final as (
    select
        lon,  -- degrees east, WGS84
        lat   -- degrees north, WGS84
    from pings
    limit $n
)

select lon, lat from final
