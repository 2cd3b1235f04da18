-- Hourly presence of every device partition added up (devices never straddle partitions, so unique
-- devices add; dwell is summed in exact microseconds and turned into minutes once, as a single pass does).
insert into visits_hourly_data (ts_hour, cell, zone_code, segment_code, visitor_type_code, visitors, dwell_minutes)
with final as (
    select
        ts_hour,
        cell,
        zone_code,
        segment_code,
        visitor_type_code,
        cast(sum(visitors) as integer) as visitors,
        cast(sum(dwell_us) as double) / 60000000.0 as dwell_minutes
    from pipeline_parts_visits_hourly
    group by ts_hour, cell, zone_code, segment_code, visitor_type_code
)

select ts_hour, cell, zone_code, segment_code, visitor_type_code, visitors, dwell_minutes from final
