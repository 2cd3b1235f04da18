-- One device partition's hourly presence (geo/staysteps.py, the rules of insert_visits_hourly.sql), from
-- the registered Arrow table stream_visits_hourly, kept as a partial sum (merge_visits_hourly.sql).
insert into pipeline_parts_visits_hourly (ts_hour, cell, zone_code, segment_code, visitor_type_code, visitors,
                                          dwell_us)
select ts_hour, cell, zone_code, segment_code, visitor_type_code, visitors, dwell_us
from stream_visits_hourly
