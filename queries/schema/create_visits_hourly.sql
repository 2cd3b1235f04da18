-- The presence cube (what operators deliver): unique devices and minutes present per H3 cell × local
-- hour × segment × visitor type, from stays (moving devices are not counted). Stored with codes
-- (labels table) in visits_hourly_data; the view visits_hourly shows the texts.
create or replace table visits_hourly_data (
    ts_hour timestamp not null,        -- local hour start
    cell ubigint not null,             -- H3 cell
    zone_code integer,                 -- zone of the cell (label kind 'zone')
    segment_code integer not null,     -- label kind 'segment'
    visitor_type_code tinyint not null, -- label kind 'visitor_type'
    visitors integer not null,         -- unique devices staying in the cell during the hour
    dwell_minutes double not null      -- minutes those devices stayed in the cell during the hour
)
