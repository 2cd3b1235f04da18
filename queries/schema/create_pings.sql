-- Raw telecom-style observations: one row per ping of a device (simulated by geo/simulate.py, or an
-- operator's feed). Officials only; the pipeline turns them into stays, visits and trips.
create or replace table pings (
    device ubigint not null,          -- salted 64-bit hash of the device (never a phone number)
    ts timestamp not null,            -- local Asia/Bangkok wall time, naive (no time zone)
    lon double not null,              -- WGS84 degrees, as positioned by the network (tens of metres off)
    lat double not null,              -- WGS84 degrees
    segment varchar not null          -- resident | domestic:<Province> | international:<ISO 3166-1 alpha-2>
)
