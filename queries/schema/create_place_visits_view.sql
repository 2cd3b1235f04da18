-- The place_visits view: the coded table place_visits_data with its texts from the labels table (create_labels.sql).
create or replace view place_visits as
select
    s.device,
    p.label as place_id,
    s.visit_start,
    s.visit_end,
    s.dwell_minutes,
    g.label as segment,
    v.label as visitor_type,
    s.n_stays
from place_visits_data as s
left join labels as p on p.kind = 'place' and p.code = s.place_code
left join labels as g on g.kind = 'segment' and g.code = s.segment_code
left join labels as v on v.kind = 'visitor_type' and v.code = s.visitor_type_code
