-- One visit of a device to a place: consecutive stays matched to the same place, merged.
create or replace table place_visits (
    device ubigint not null,           -- salted device hash
    place_id varchar not null,
    visit_start timestamp not null,    -- local time, start of the first stay
    visit_end timestamp not null,      -- local time, end of the last stay
    dwell_minutes double not null,     -- visit_end - visit_start, minutes
    segment varchar not null,
    visitor_type varchar not null,     -- resident | overnight | day_tripper
    n_stays integer not null           -- stays merged into this visit
)
