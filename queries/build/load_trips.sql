-- Trips given with their texts (registered output_rows, columns as the trips view) stored with codes:
-- origin and destination are looked up among the labels of the row's level; see load_stays.sql.
insert into trips_data (day, level_code, origin_code, destination_code, segment_code, visitor_type_code, trips)
select
    r.day,
    cast(l.code as tinyint) as level_code,
    o.code as origin_code,
    d.code as destination_code,
    g.code as segment_code,
    cast(v.code as tinyint) as visitor_type_code,
    r.trips
from output_rows as r
left join labels as l on l.kind = 'level' and l.label = r.level
left join labels as o on o.kind = r.level and o.label = r.origin
left join labels as d on d.kind = r.level and d.label = r.destination
left join labels as g on g.kind = 'segment' and g.label = r.segment
left join labels as v on v.kind = 'visitor_type' and v.label = r.visitor_type
