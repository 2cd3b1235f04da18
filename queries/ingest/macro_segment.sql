-- atlas_segment(text) -> segment or null: an aggregated feed's origin segment as the atlas writes it.
-- 'resident', 'domestic[:Province]', 'international[:ISO2]' (country upper-cased); the group before ':' or '/'
-- may be an operator's word (atlas_segment_group: local, thai, foreign, ...). Null for anything else.
create or replace temp macro atlas_segment(s) as case atlas_segment_group(lower(trim(regexp_extract(s, '^([^:/]*)', 1))))
    when 'resident' then case when trim(regexp_extract(s, '^[^:/]*[:/](.*)$', 1)) = '' then 'resident' end
    when 'domestic' then 'domestic' || case
        when trim(regexp_extract(s, '^[^:/]*[:/](.*)$', 1)) = '' then ''
        else ':' || trim(regexp_extract(s, '^[^:/]*[:/](.*)$', 1))
    end
    when 'international' then case
        when trim(regexp_extract(s, '^[^:/]*[:/](.*)$', 1)) = '' then 'international'
        when regexp_full_match(trim(regexp_extract(s, '^[^:/]*[:/](.*)$', 1)), '[A-Za-z]{2}')
            then 'international:' || upper(trim(regexp_extract(s, '^[^:/]*[:/](.*)$', 1)))
    end
end
