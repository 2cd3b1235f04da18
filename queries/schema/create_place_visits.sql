-- One visit of a device to a place: consecutive stays matched to the same place, merged. Stored with
-- codes (labels table) in place_visits_data; the view place_visits shows the texts.
create or replace table place_visits_data (
    device ubigint not null,           -- salted device hash
    place_code integer not null,       -- label kind 'place'
    visit_start timestamp not null,    -- local time, start of the first stay
    visit_end timestamp not null,      -- local time, end of the last stay
    dwell_minutes double not null,     -- visit_end - visit_start, minutes
    segment_code integer not null,     -- label kind 'segment'
    visitor_type_code tinyint not null, -- label kind 'visitor_type'
    n_stays integer not null           -- stays merged into this visit
)
