-- Benchmark input: the $n H3 cells nearest the default map centre, for the 10k-cell map payload.
with ranked as (
    select
        cell,
        lat,
        lon,
        (lat - $lat) * (lat - $lat) + (lon - $lon) * (lon - $lon) * 0.897 as d2  -- cos²(18.8°) ≈ 0.897
    from cells
),

final as (
    select cell, lat, lon
    from ranked
    order by d2, cell
    limit $n
)

select cell, lat, lon from final
