-- Store the accepted rows of a checked presence import (aggregate_checked) in visits_hourly_data with codes.
-- Rows per cell are stored as delivered. A row per zone is spread over the zone's cells of level $level
-- (cell_zones) in whole devices: each cell gets visitors // n, and the visitors % n left over go one each to
-- the cells ranked first by a hash of (cell, hour, segment, visitor type), so the remainder falls on other
-- cells in other hours; dwell minutes follow the devices. Every zone-hour total is kept exactly; cells given
-- no device are not stored. A missing dwell is $default_dwell minutes per visitor. zone_code is the cell's
-- tourism zone (cells.zone_id), as the pipeline stores it.
insert into visits_hourly_data (ts_hour, cell, zone_code, segment_code, visitor_type_code, visitors, dwell_minutes)
with accepted as (
    select row, ts_hour, cell, zone_id, segment, visitor_type, visitors,
        coalesce(dwell_minutes, $default_dwell * visitors) as dwell_minutes
    from aggregate_checked
    where action is distinct from 'rejected'
),

by_cell as (
    select ts_hour, cell, segment, visitor_type, visitors, dwell_minutes
    from accepted
    where cell is not null
),

zone_cells as (
    select zone_id, cell, count(*) over (partition by zone_id) as n
    from cell_zones
    where level = $level
),

shares as (
    select
        a.ts_hour,
        z.cell,
        a.segment,
        a.visitor_type,
        a.visitors,
        a.dwell_minutes,
        a.visitors // z.n + case
            when row_number() over (partition by a.row order by hash(z.cell, a.ts_hour, a.segment, a.visitor_type), z.cell)
                <= a.visitors % z.n then 1 else 0
        end as cell_visitors
    from accepted as a
    inner join zone_cells as z on z.zone_id = a.zone_id
    where a.cell is null
),

spread as (
    select ts_hour, cell, segment, visitor_type, cell_visitors as visitors,
        dwell_minutes * cell_visitors / visitors as dwell_minutes
    from shares
    where cell_visitors > 0
),

rows as (
    select * from by_cell
    union all
    select * from spread
),

final as (
    select
        r.ts_hour,
        r.cell,
        z.code as zone_code,
        g.code as segment_code,
        cast(v.code as tinyint) as visitor_type_code,
        cast(r.visitors as integer) as visitors,
        cast(r.dwell_minutes as double) as dwell_minutes
    from rows as r
    inner join cells as c on c.cell = r.cell
    left join labels as z on z.kind = 'zone' and z.label = c.zone_id
    inner join labels as g on g.kind = 'segment' and g.label = r.segment
    inner join labels as v on v.kind = 'visitor_type' and v.label = r.visitor_type
)

select ts_hour, cell, zone_code, segment_code, visitor_type_code, visitors, dwell_minutes from final
