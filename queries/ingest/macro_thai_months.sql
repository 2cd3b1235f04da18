-- atlas_thai_months(text): Thai month names (full or abbreviated) as ' MM ', spaces collapsed
-- (part of atlas_parse_time, macro_parse_time.sql).
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
), '\s+', ' ', 'g')
