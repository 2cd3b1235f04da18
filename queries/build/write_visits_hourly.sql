-- Hourly presence computed by the stream engine (geo/build/staysteps.py, the rules of
-- insert_visits_hourly.sql; added up over device partitions in exact microseconds by
-- geo/build/pipeline.py _Sums), from the registered Arrow table stream_visits_hourly (texts as codes).
insert into visits_hourly_data (ts_hour, cell, zone_code, segment_code, visitor_type_code, visitors, dwell_minutes)
select ts_hour, cell, zone_code, segment_code, visitor_type_code, visitors, dwell_minutes
from stream_visits_hourly
