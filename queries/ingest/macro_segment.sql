-- atlas_segment(word, origin) -> segment or null: an aggregated feed's origin segment as the atlas writes it,
-- from its two parts (the text before the first ':' or '/', lower-cased, and the trimmed text after it; the
-- checks split them once per row). 'resident', 'domestic[:Province]', 'international[:ISO2]' (country
-- upper-cased); the word may be an operator's (atlas_segment_group: local, thai, foreign, ...). Null for
-- anything else.
create or replace temp macro atlas_segment(w, o) as case atlas_segment_group(w)
    when 'resident' then case when o = '' then 'resident' end
    when 'domestic' then 'domestic' || case when o = '' then '' else ':' || o end
    when 'international' then case
        when o = '' then 'international'
        when regexp_full_match(o, '[A-Za-z]{2}') then 'international:' || upper(o)
    end
end
