-- Stay candidates (end of step 1 of the SQL engine): the stays found by stay detection (the table
-- detect_stays_sql.sql writes), back in local timestamps and WGS84 degrees, with the device's segment
-- (device_segments: create_device_segments.sql).
create or replace temp table stay_candidates as
with final as (
    select
        m.device,
        make_timestamp(m.start_t) as stay_start,                                  -- local time, first ping
        make_timestamp(m.end_t) as stay_end,                                      -- local time, last ping
        $ref_lon + degrees(m.x / ($earth_radius_m * cos(radians($ref_lat)))) as lon,   -- WGS84 degrees
        $ref_lat + degrees(m.y / $earth_radius_m) as lat,                              -- WGS84 degrees
        s.segment,
        cast(m.n_pings as integer) as n_pings,                                   -- pings in the runs
        (m.end_t - m.start_t) / 60000000.0 as dwell_minutes                      -- minutes
    from detected_stays as m
    inner join device_segments as s on s.device = m.device
)

select * from final
