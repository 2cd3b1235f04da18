-- atlas_segment_mapped(text, has_map, src, dest): an aggregated feed's segment as an operator's spelling
-- given with --category SRC=SEGMENT maps it: dest at the position of text's lower-cased form in src (the
-- lower-cased sources) when has_map and it is there, else text as it is. The checks (visits_checked.sql,
-- trips_checked.sql) pass their bound parameters $has_seg_map, $seg_src and $seg_dest, then split the
-- result once per row (atlas_segment_word, atlas_segment_origin) for atlas_segment.
create or replace temp macro atlas_segment_mapped(t, has_map, src, dest) as
    case when has_map then coalesce(dest[list_position(src, lower(t))], t) else t end
