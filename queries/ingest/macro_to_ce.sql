-- atlas_to_ce(text): a Buddhist-era year (2400 or later) rewritten as the Common Era year (minus 543), so
-- 29 Feb 2567 parses as 29 Feb 2024 (part of atlas_parse_time).
create or replace temp macro atlas_to_ce(s) as case
    when atlas_be_year(s) >= 2400 then regexp_replace(
        s, '(^|[^0-9])' || cast(atlas_be_year(s) as varchar) || '([^0-9]|$)',
        '\1' || cast(atlas_be_year(s) - 543 as varchar) || '\2')
    else s
end
