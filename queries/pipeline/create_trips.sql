-- Origin-destination trips per local day, at zone and at place level, by segment and visitor type.
create or replace table trips (
    day date not null,                 -- local date the device left the origin
    level varchar not null,            -- 'zone' | 'place'
    origin varchar not null,           -- zone_id or place_id
    destination varchar not null,      -- zone_id or place_id
    segment varchar not null,
    visitor_type varchar not null,     -- resident | overnight | day_tripper
    trips integer not null             -- moves (count)
)
