-- Cell and zone of each rounded stay centre (registered frame stay_cells_frame: k, lat4, lon4, cell; k
-- numbers the centres so the stream engine can read the zones back in its order).
-- The zone comes from the cells table (cell -> zone of its centre); only cells missing from it are
-- placed by an exact point-in-polygon test on the zones (tourism zones first, then smallest zone_id).
create or replace temp table stay_cells as
with coords as (
    select k, lat4, lon4, cell
    from stay_cells_frame
),

looked_up as (
    select
        c.k,
        c.lat4,
        c.lon4,
        c.cell,
        z.zone_id
    from coords as c
    left join cells as z on z.cell = c.cell
),

outside as (
    select
        l.lat4,
        l.lon4,
        arg_min(z.zone_id, (z.level <> 'tourism_zone', z.zone_id)) as zone_id
    from looked_up as l
    inner join zones as z on st_contains(z.geom, st_point(l.lon4, l.lat4))
    where l.zone_id is null
    group by l.lat4, l.lon4
),

final as (
    select
        l.k,                                      -- centre number (frame order)
        l.lat4,
        l.lon4,
        l.cell,                                   -- H3 cell of the rounded centre
        coalesce(l.zone_id, o.zone_id) as zone_id  -- null outside every zone
    from looked_up as l
    left join outside as o on o.lat4 = l.lat4 and o.lon4 = l.lon4
)

select * from final
