-- One stay: a device staying put (within the stay radius) for at least the minimum stay, derived from
-- pings by create_stay_candidates.sql + insert_stays.sql. Officials only (device level).
create or replace table stays (
    device ubigint not null,           -- salted device hash
    stay_start timestamp not null,     -- local time of the stay's first ping
    stay_end timestamp not null,       -- local time of its last ping
    lon double not null,               -- centre, WGS84 degrees
    lat double not null,               -- centre, WGS84 degrees
    cell ubigint not null,             -- H3 cell (settings.H3_RESOLUTION) of the centre
    zone_id varchar,                   -- zone of the cell; null outside every zone
    place_id varchar,                  -- nearest place within the place radius (ties: smallest place_id)
    place_distance_m double,           -- metres from the centre to that place
    segment varchar not null,          -- resident | domestic:<Province> | international:<ISO2>
    visitor_type varchar not null,     -- resident | overnight | day_tripper
    n_pings integer not null,          -- pings in the stay (bridged stray pings not counted)
    dwell_minutes double not null      -- stay_end - stay_start, minutes
)
