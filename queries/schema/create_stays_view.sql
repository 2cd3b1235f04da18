-- The stays view: the coded table stays_data with its texts from the labels table (create_labels.sql).
create or replace view stays as
select
    s.device,
    s.stay_start,
    s.stay_end,
    s.lon,
    s.lat,
    s.cell,
    z.label as zone_id,
    p.label as place_id,
    s.place_distance_m,
    g.label as segment,
    v.label as visitor_type,
    s.n_pings,
    s.dwell_minutes
from stays_data as s
left join labels as z on z.kind = 'zone' and z.code = s.zone_code
left join labels as p on p.kind = 'place' and p.code = s.place_code
left join labels as g on g.kind = 'segment' and g.code = s.segment_code
left join labels as v on v.kind = 'visitor_type' and v.code = s.visitor_type_code
