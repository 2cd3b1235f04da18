-- atlas_segment_word(segment): a segment's group word, the text before the first ':' or '/', trimmed and
-- lower-cased (atlas_segment's first argument; macro_segment_map.sql).
create or replace temp macro atlas_segment_word(s) as lower(trim(regexp_extract(s, '^([^:/]*)', 1)))
