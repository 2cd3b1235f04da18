-- Every event of the calendar, oldest first, with how many of its days hold presence data.
with days as (
    select day from presence_days
),

final as (
    select
        e.event_id,
        e.name,
        e.start_day,                                                  -- first local day
        e.end_day,                                                    -- last local day (inclusive)
        e.zones,                                                      -- zone_ids, [] = city-wide
        e.applies_to,
        e.source,                                                     -- calendar | official
        e.note,
        (e.end_day - e.start_day + 1)::integer as days,
        (select count(*) from days as d where d.day between e.start_day and e.end_day)::integer as days_with_data
    from events as e
)

select * from final
order by start_day, event_id
