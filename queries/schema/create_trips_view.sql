-- The trips view: the coded table trips_data with its texts from the labels table (create_labels.sql).
create or replace view trips as
select
    s.day,
    l.label as level,
    o.label as origin,
    d.label as destination,
    g.label as segment,
    v.label as visitor_type,
    s.trips
from trips_data as s
left join labels as l on l.kind = 'level' and l.code = s.level_code
left join labels as o on o.kind = l.label and o.code = s.origin_code
left join labels as d on d.kind = l.label and d.code = s.destination_code
left join labels as g on g.kind = 'segment' and g.code = s.segment_code
left join labels as v on v.kind = 'visitor_type' and v.code = s.visitor_type_code
