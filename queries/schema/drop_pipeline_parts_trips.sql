-- Drop the out-of-core pipeline's partial trip counts (merged into trips_data).
drop table if exists pipeline_parts_trips
