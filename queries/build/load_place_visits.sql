-- Place visits given with their texts (registered output_rows, columns as the place_visits view) stored
-- with their codes (labels table); see load_stays.sql.
insert into place_visits_data (
    device, place_code, visit_start, visit_end, dwell_minutes, segment_code, visitor_type_code, n_stays
)
select
    r.device,
    p.code as place_code,
    r.visit_start,
    r.visit_end,
    r.dwell_minutes,
    g.code as segment_code,
    cast(v.code as tinyint) as visitor_type_code,
    r.n_stays
from output_rows as r
left join labels as p on p.kind = 'place' and p.label = r.place_id
left join labels as g on g.kind = 'segment' and g.label = r.segment
left join labels as v on v.kind = 'visitor_type' and v.label = r.visitor_type
