-- Per-partition partial sums of the two outputs that add up across devices (out-of-core runs,
-- geo/build/pipeline.py): hourly presence with its dwell in whole microseconds (exact integer sums, so
-- the merged minutes equal a single pass's) and moves counted per trip key. Plain tables, not temp: the
-- writes run on cursors of their own. merge_visits_hourly.sql and merge_trips.sql add them up.
create or replace table pipeline_parts_visits_hourly (
    ts_hour timestamp not null,
    cell ubigint not null,
    zone_code integer,
    segment_code integer not null,
    visitor_type_code tinyint not null,
    visitors integer not null,          -- unique devices of this partition
    dwell_us bigint not null            -- microseconds those devices stayed (exact)
)
