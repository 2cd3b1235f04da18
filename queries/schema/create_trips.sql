-- Origin-destination trips per local day, at zone and at place level, by segment and visitor type.
-- Stored with codes (labels table) in trips_data: origin and destination are codes of the level's kind
-- ('zone' or 'place'); the view trips shows the texts.
create or replace table trips_data (
    day date not null,                 -- local date the device left the origin
    level_code tinyint not null,       -- label kind 'level': zone | place
    origin_code integer not null,      -- zone or place code (by level)
    destination_code integer not null, -- zone or place code (by level)
    segment_code integer not null,     -- label kind 'segment'
    visitor_type_code tinyint not null, -- label kind 'visitor_type'
    trips integer not null             -- moves (count)
)
