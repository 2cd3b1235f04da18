-- Store the accepted rows of a checked trips import (aggregate_checked) in trips_data with codes: origin and
-- destination among the labels of the row's level (zone or place).
insert into trips_data (day, level_code, origin_code, destination_code, segment_code, visitor_type_code, trips)
select
    a.day,
    cast(l.code as tinyint) as level_code,
    o.code as origin_code,
    d.code as destination_code,
    g.code as segment_code,
    cast(v.code as tinyint) as visitor_type_code,
    a.trips
from aggregate_checked as a
inner join labels as l on l.kind = 'level' and l.label = a.level
inner join labels as o on o.kind = a.level and o.label = a.origin
inner join labels as d on d.kind = a.level and d.label = a.destination
inner join labels as g on g.kind = 'segment' and g.label = a.segment
inner join labels as v on v.kind = 'visitor_type' and v.label = a.visitor_type
where a.action is distinct from 'rejected'
