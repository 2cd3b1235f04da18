-- atlas_parse_time_slow(text): Thai month names and Buddhist-era years normalised, then the accepted
-- day-first and ISO formats tried in turn (part of atlas_parse_time).
create or replace temp macro atlas_parse_time_slow(t) as try_strptime(atlas_to_ce(atlas_thai_months(t)), [
    '%Y-%m-%d %H:%M:%S', '%Y-%m-%dT%H:%M:%S', '%Y-%m-%d %H:%M', '%Y-%m-%dT%H:%M', '%Y-%m-%d',
    '%Y-%m-%d %H:%M:%S.%f', '%Y-%m-%dT%H:%M:%S.%f',
    '%d/%m/%Y %H:%M:%S', '%d/%m/%Y %H:%M', '%d/%m/%Y',
    '%d %m %Y %H:%M:%S', '%d %m %Y %H:%M', '%d %m %Y'
])
