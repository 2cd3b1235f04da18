-- Moves counted per trip key and device partition (out-of-core runs; merge_trips.sql adds them up).
create or replace table pipeline_parts_trips (
    day date not null,
    level_code tinyint not null,
    origin_code integer not null,
    destination_code integer not null,
    segment_code integer not null,
    visitor_type_code tinyint not null,
    trips integer not null
)
