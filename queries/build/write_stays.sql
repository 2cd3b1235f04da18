-- Stays computed by the stream engine (geo/staysteps.py, the rules of insert_stays.sql), from the
-- registered Arrow table stream_stays (texts as their codes in the labels table).
insert into stays_data (
    device, stay_start, stay_end, lon, lat, cell, zone_code, place_code, place_distance_m,
    segment_code, visitor_type_code, n_pings, dwell_minutes
)
select
    device, stay_start, stay_end, lon, lat, cell, zone_code, place_code, place_distance_m,
    segment_code, visitor_type_code, n_pings, dwell_minutes
from stream_stays
