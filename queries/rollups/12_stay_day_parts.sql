-- Stays split at local midnight (temp view, shared by 13_presence_daily.sql and 14_presence_zone_daily.sql):
-- one row per stay and local day it touches, clipped to that day. The two daily rollups differ only in
-- their grain (the whole city, or each zone), so they read the same parts and group them differently.
-- A temp view: it lives on the build connection only and is never stored in the database the app opens.
-- A stay of zero length (start = end) keeps its one row.
create or replace temp view stay_day_parts as
with parts as (
    select
        device,
        zone_id,
        segment,
        visitor_type,
        stay_start,
        stay_end,
        cast(unnest(generate_series(
            cast(cast(stay_start as date) as timestamp),
            cast(cast(stay_end as date) as timestamp),
            interval 1 day
        )) as date) as day
    from stays
),

final as (
    select
        day,                                                                  -- local date
        device,
        zone_id,                                                              -- null outside every zone
        segment,
        visitor_type,
        greatest(stay_start, cast(day as timestamp)) as part_start,           -- local time
        least(stay_end, cast(day as timestamp) + interval 1 day) as part_end  -- local time
    from parts
    where stay_start = stay_end
       or least(stay_end, cast(day as timestamp) + interval 1 day) > greatest(stay_start, cast(day as timestamp))
)

select day, device, zone_id, segment, visitor_type, part_start, part_end from final
