-- Drop the pipeline's device -> segment lookup.
drop table if exists device_segments
