-- The pings sorted for stay detection (step 1 of the pipeline, read as Arrow batches by
-- geo/staydetect.py): device, time in microseconds since the epoch and the position projected to
-- metres around ($ref_lon, $ref_lat) on a sphere of radius $earth_radius_m (geo.vocab.EARTH_RADIUS_M;
-- equirectangular, < 1% error across a province). The only sort of the pings in the pipeline. Pings
-- of a device at the same time are put in position order by geo/staydetect.py (cheaper than two more
-- sort keys here), so the stays never depend on storage order. Numbers only: a narrow sort.
with projected as (
    select
        device,
        epoch_us(ts) as t,                                                   -- microseconds
        radians(lon - $ref_lon) * $earth_radius_m * cos(radians($ref_lat)) as x,  -- metres east
        radians(lat - $ref_lat) * $earth_radius_m as y                             -- metres north
    from {{pings}}
    where isfinite(lon) and isfinite(lat)  -- a ping without a position is no evidence of a stay
),

final as (
    select device, t, x, y
    from projected
    order by device, t
)

select device, t, x, y from final
