-- pub_zone_days: person-days by main zone × month × segment group × visitor type (geo/publish/suppress.py);
-- every row has at least the floor of distinct people, with complementary suppression across the zones and
-- visitor types of a month and segment group.
create table pub_zone_days as
with final as (
    select
        cast(month_start as date) as month_start,      -- first day of the local month
        cast(zone_id as varchar) as zone_id,           -- main zone of the person-day; null outside every zone
        cast(segment_group as varchar) as segment_group,  -- domestic | international | resident
        cast(visitor_type as varchar) as visitor_type,    -- resident | overnight | day_tripper
        cast(people as bigint) as people,              -- distinct people with such person-days (>= floor)
        cast(people_days as bigint) as people_days,    -- person-days (one per person and day, in one zone)
        cast(est_people as double) as est_people,      -- ESTIMATE: people × the group's public weight of the month
        cast(est_people_days as double) as est_people_days  -- ESTIMATE: people_days × the same weight
    from staged_rows
)

select month_start, zone_id, segment_group, visitor_type, people, people_days, est_people, est_people_days
from final
order by month_start, zone_id, segment_group, visitor_type
