-- Origin of the local metric projection used by stay detection and place matching: the mean position
-- of the places (the given default point when there are none). Distances are then plain metres.
select
    coalesce(avg(lon), $default_lon) as ref_lon,   -- WGS84 degrees
    coalesce(avg(lat), $default_lat) as ref_lat    -- WGS84 degrees
from places
