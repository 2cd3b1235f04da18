-- Place visits computed by the stream engine (geo/staysteps.py, the rules of insert_place_visits.sql),
-- from the registered Arrow table stream_place_visits (texts as their codes in the labels table).
insert into place_visits_data (
    device, place_code, visit_start, visit_end, dwell_minutes, segment_code, visitor_type_code, n_stays
)
select device, place_code, visit_start, visit_end, dwell_minutes, segment_code, visitor_type_code, n_stays
from stream_place_visits
