-- One device partition's moves (registered Arrow table stream_moves, as write_trips.sql) counted per
-- trip key, kept as a partial count (merge_trips.sql).
insert into pipeline_parts_trips (day, level_code, origin_code, destination_code, segment_code,
                                  visitor_type_code, trips)
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
