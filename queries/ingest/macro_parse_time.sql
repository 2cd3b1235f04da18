-- atlas_parse_time(text) -> timestamp or null: the local date-times telecom files carry.
-- Accepts ISO (2024-03-01 08:00[:00], with T), day-first (01/03/2024 08:00[:00]), Thai month names, full or
-- abbreviated (1 มี.ค. 2567 08:00), and Buddhist-era years (a four-digit year from 2400 is read as BE and
-- 543 is subtracted before parsing, so 29 Feb 2567 is 29 Feb 2024). A date alone means midnight.
-- Plain expression macros (no subquery), so they run vectorised; ISO text in the Common Era takes a plain cast
-- (the slow path with the Thai month names and the era runs only on what the cast cannot read).
create or replace temp macro atlas_thai_months(t) as regexp_replace(trim(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
    replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
        cast(t as varchar),
        'มกราคม', ' 01 '), 'กุมภาพันธ์', ' 02 '), 'มีนาคม', ' 03 '), 'เมษายน', ' 04 '),
        'พฤษภาคม', ' 05 '), 'มิถุนายน', ' 06 '), 'กรกฎาคม', ' 07 '), 'สิงหาคม', ' 08 '),
        'กันยายน', ' 09 '), 'ตุลาคม', ' 10 '), 'พฤศจิกายน', ' 11 '), 'ธันวาคม', ' 12 '),
        'ม.ค.', ' 01 '), 'ก.พ.', ' 02 '), 'มี.ค.', ' 03 '), 'เม.ย.', ' 04 '),
        'พ.ค.', ' 05 '), 'มิ.ย.', ' 06 '), 'ก.ค.', ' 07 '), 'ส.ค.', ' 08 '),
        'ก.ย.', ' 09 '), 'ต.ค.', ' 10 '), 'พ.ย.', ' 11 '), 'ธ.ค.', ' 12 ')
), '\s+', ' ', 'g');

create or replace temp macro atlas_be_year(s) as
    try_cast(regexp_extract(s, '(^|[^0-9])([0-9]{4})([^0-9]|$)', 2) as integer);

create or replace temp macro atlas_to_ce(s) as case
    when atlas_be_year(s) >= 2400 then regexp_replace(
        s, '(^|[^0-9])' || cast(atlas_be_year(s) as varchar) || '([^0-9]|$)',
        '\1' || cast(atlas_be_year(s) - 543 as varchar) || '\2')
    else s
end;

create or replace temp macro atlas_parse_time_slow(t) as try_strptime(atlas_to_ce(atlas_thai_months(t)), [
    '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M', '%Y-%m-%d',
    '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f',
    '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
    '%d %m %Y %H:%M:%S', '%d %m %Y %H:%M', '%d %m %Y'
]);

create or replace temp macro atlas_parse_time(t) as case
    when year(try_cast(t as timestamp)) < 2400 then try_cast(t as timestamp)
    else atlas_parse_time_slow(t)
end;
