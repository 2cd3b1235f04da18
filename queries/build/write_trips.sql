-- Trips the stream engine counted (geo/build/pipeline.py _Sums: the moves of geo/build/staysteps.py, the
-- rules of insert_trips.sql, counted per day, level, origin, destination, segment and visitor type and
-- added up over device partitions), from the registered Arrow table stream_trips (texts as codes).
insert into trips_data (day, level_code, origin_code, destination_code, segment_code, visitor_type_code, trips)
select day, level_code, origin_code, destination_code, segment_code, visitor_type_code, trips
from stream_trips
