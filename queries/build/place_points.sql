-- Places a stay can be matched to, with their opening hours (stream engine; rules in insert_stays.sql).
select
    place_id,
    lon,                 -- WGS84 degrees
    lat,                 -- WGS84 degrees
    open_hour,           -- local hour, null = always open
    close_hour           -- local hour, 1..24
from places
order by place_id
