-- Published statistics the estimates are calibrated to (data/seed/published_stats.csv; sources in data/README.md).
create table if not exists published_stats (
    measure varchar not null,   -- visitors | guest_arrivals | occupancy | rooms | rooms_hotels | persons_per_room | population | area_km2
    segment varchar not null,   -- all | domestic | international | resident
    area varchar not null,      -- province | city | a district
    year integer,               -- year of the figure (null: a month profile or a convention)
    month tinyint,              -- 1..12 for a monthly figure, null for a yearly one
    value double not null,      -- in unit
    unit varchar not null,      -- visitor trips | guests | share of rooms | rooms | persons | km2
    status varchar not null,    -- read | derived | recalled (to verify) | estimate
    source varchar not null     -- source key and publication (data/README.md)
)
