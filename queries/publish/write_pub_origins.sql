-- pub_origins: people per origin market and month, small markets merged into '<group>:other'
-- (geo/publish/suppress.py); every row has at least the floor of distinct people.
create table pub_origins as
with final as (
    select
        cast(month_start as date) as month_start,        -- first day of the local month
        cast(origin as varchar) as origin,               -- resident | domestic:<Province> | international:<ISO2> | <group>:other
        cast(segment_group as varchar) as segment_group, -- domestic | international | resident
        cast(people as bigint) as people,                -- distinct people with a stay that month (>= floor)
        cast(est_people as double) as est_people         -- ESTIMATE: people × the group's public weight of the month
    from staged_rows
)

select month_start, origin, segment_group, people, est_people from final
order by month_start, segment_group, origin
