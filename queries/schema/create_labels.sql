-- The texts the pipeline's tables store as integer codes (stays_data, place_visits_data,
-- visits_hourly_data, trips_data; the views stays, place_visits, visits_hourly and trips show the texts).
-- A code is the label's position in its kind, from 0: zones by zone_id, places by place_id, segments by
-- name (the devices' segments, device_segments); visitor types and trip levels in a fixed order
-- (geo/staysteps.py VISITOR_TYPES). Small-integer columns write and scan several times faster than text
-- in DuckDB, and both engines compute the same codes.
create or replace table labels as
with final as (
    select 'zone' as kind, cast(row_number() over (order by zone_id) - 1 as integer) as code, zone_id as label
    from zones
    union all
    select 'place', cast(row_number() over (order by place_id) - 1 as integer), place_id
    from places
    union all
    select 'segment', cast(row_number() over (order by segment) - 1 as integer), segment
    from (select distinct segment from device_segments where segment is not null)
    union all
    select 'visitor_type', code, label
    from (values (0, 'resident'), (1, 'overnight'), (2, 'day_tripper')) as v (code, label)
    union all
    select 'level', code, label
    from (values (0, 'zone'), (1, 'place')) as v (code, label)
)

select kind, code, label from final
