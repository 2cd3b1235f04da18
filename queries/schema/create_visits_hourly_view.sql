-- The visits_hourly view: the coded table visits_hourly_data with its texts from the labels table (create_labels.sql).
create or replace view visits_hourly as
select
    s.ts_hour,
    s.cell,
    z.label as zone_id,
    g.label as segment,
    v.label as visitor_type,
    s.visitors,
    s.dwell_minutes
from visits_hourly_data as s
left join labels as z on z.kind = 'zone' and z.code = s.zone_code
left join labels as g on g.kind = 'segment' and g.code = s.segment_code
left join labels as v on v.kind = 'visitor_type' and v.code = s.visitor_type_code
