-- atlas_segment_origin(segment): a segment's origin, the trimmed text after the first ':' or '/' ('' when
-- there is none; atlas_segment's second argument; macro_segment_map.sql).
create or replace temp macro atlas_segment_origin(s) as trim(regexp_extract(s, '^[^:/]*[:/](.*)$', 1))
