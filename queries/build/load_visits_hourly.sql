-- Hourly presence given with its texts (registered output_rows, columns as the visits_hourly view: an
-- operator's delivered presence cube, or hand-built rows) stored with codes; see load_stays.sql.
insert into visits_hourly_data (ts_hour, cell, zone_code, segment_code, visitor_type_code, visitors, dwell_minutes)
select
    r.ts_hour,
    r.cell,
    z.code as zone_code,
    g.code as segment_code,
    cast(v.code as tinyint) as visitor_type_code,
    r.visitors,
    r.dwell_minutes
from output_rows as r
left join labels as z on z.kind = 'zone' and z.label = r.zone_id
left join labels as g on g.kind = 'segment' and g.label = r.segment
left join labels as v on v.kind = 'visitor_type' and v.label = r.visitor_type
