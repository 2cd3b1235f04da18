-- Trips from the moves the stream engine found (geo/staysteps.py, the rules of insert_trips.sql; one
-- row per move in the registered Arrow table stream_moves, texts as codes), counted per day, level,
-- origin, destination, segment and visitor type.
insert into trips_data (day, level_code, origin_code, destination_code, segment_code, visitor_type_code, trips)
select
    day,
    level_code,
    origin_code,
    destination_code,
    segment_code,
    visitor_type_code,
    cast(count(*) as integer) as trips
from stream_moves
group by day, level_code, origin_code, destination_code, segment_code, visitor_type_code
