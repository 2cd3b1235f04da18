-- One stay: a device staying put (within the stay radius) for at least the minimum stay, derived from
-- pings by stay detection and insert_stays.sql (or geo/staysteps.py). Officials only (device level).
-- Stored with integer codes for its texts (labels table, create_labels.sql) in stays_data; the view
-- stays shows the texts and is what everything else reads.
create or replace table stays_data (
    device ubigint not null,           -- salted device hash
    stay_start timestamp not null,     -- local time of the stay's first ping
    stay_end timestamp not null,       -- local time of its last ping
    lon double not null,               -- centre, WGS84 degrees
    lat double not null,               -- centre, WGS84 degrees
    cell ubigint not null,             -- H3 cell (settings.H3_RESOLUTION) of the centre
    zone_code integer,                 -- zone of the cell (label kind 'zone'); null outside every zone
    place_code integer,                -- nearest place within the place radius (kind 'place'; ties: smallest place_id)
    place_distance_m double,           -- metres from the centre to that place
    segment_code integer not null,     -- kind 'segment': resident | domestic:<Province> | international:<ISO2>
    visitor_type_code tinyint not null, -- kind 'visitor_type': resident | overnight | day_tripper
    n_pings integer not null,          -- pings in the stay (bridged stray pings not counted)
    dwell_minutes double not null      -- stay_end - stay_start, minutes
)
