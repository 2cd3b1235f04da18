-- The presence cube (what operators deliver): unique devices and minutes present per H3 cell × local
-- hour × segment × visitor type, from stays (moving devices are not counted).
create or replace table visits_hourly (
    ts_hour timestamp not null,        -- local hour start
    cell ubigint not null,             -- H3 cell
    zone_id varchar,                   -- zone of the cell
    segment varchar not null,
    visitor_type varchar not null,     -- resident | overnight | day_tripper
    visitors integer not null,         -- unique devices staying in the cell during the hour
    dwell_minutes double not null      -- minutes those devices stayed in the cell during the hour
)
