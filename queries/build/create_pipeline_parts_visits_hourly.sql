-- Per-partition partial sums of hourly presence (out-of-core runs, geo/build/pipeline.py), with the dwell in
-- whole microseconds: exact integer sums, so the merged minutes equal a single pass's. A plain table, not
-- temp: the writes run on cursors of their own. merge_visits_hourly.sql adds the partitions up
-- (create_pipeline_parts_trips.sql holds the trip counts).
create or replace table pipeline_parts_visits_hourly (
    ts_hour timestamp not null,
    cell ubigint not null,
    zone_code integer,
    segment_code integer not null,
    visitor_type_code tinyint not null,
    visitors integer not null,          -- unique devices of this partition
    dwell_us bigint not null            -- microseconds those devices stayed (exact)
)
