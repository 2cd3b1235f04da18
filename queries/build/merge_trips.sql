-- Trips of every device partition added up (write_trips.sql's counts, per trip key).
insert into trips_data (day, level_code, origin_code, destination_code, segment_code, visitor_type_code, trips)
with final as (
    select
        day,
        level_code,
        origin_code,
        destination_code,
        segment_code,
        visitor_type_code,
        cast(sum(trips) as integer) as trips
    from pipeline_parts_trips
    group by day, level_code, origin_code, destination_code, segment_code, visitor_type_code
)

select day, level_code, origin_code, destination_code, segment_code, visitor_type_code, trips from final
