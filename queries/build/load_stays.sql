-- Stays given with their texts (the registered table output_rows, columns as the stays view) stored
-- with their codes (labels table): flows computed elsewhere, or hand-built ones. geo.pipeline.load_outputs
-- checks every text has a label first.
insert into stays_data (
    device, stay_start, stay_end, lon, lat, cell, zone_code, place_code, place_distance_m,
    segment_code, visitor_type_code, n_pings, dwell_minutes
)
select
    r.device,
    r.stay_start,
    r.stay_end,
    r.lon,
    r.lat,
    r.cell,
    z.code as zone_code,
    p.code as place_code,
    r.place_distance_m,
    g.code as segment_code,
    cast(v.code as tinyint) as visitor_type_code,
    r.n_pings,
    r.dwell_minutes
from output_rows as r
left join labels as z on z.kind = 'zone' and z.label = r.zone_id
left join labels as p on p.kind = 'place' and p.label = r.place_id
left join labels as g on g.kind = 'segment' and g.label = r.segment
left join labels as v on v.kind = 'visitor_type' and v.label = r.visitor_type
