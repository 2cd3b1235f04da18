-- Drop the out-of-core pipeline's partial hourly presence (merged into visits_hourly_data).
drop table if exists pipeline_parts_visits_hourly
