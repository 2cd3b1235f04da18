-- atlas_be_year(text): the first four-digit year in a date text, as an integer (part of atlas_parse_time).
create or replace temp macro atlas_be_year(s) as
    try_cast(regexp_extract(s, '(^|[^0-9])([0-9]{4})([^0-9]|$)', 2) as integer)
