-- Every local day inside some event of the calendar (a baseline never uses them), and the days with data.
with event_days as (
    select distinct unnest(generate_series(e.start_day, e.end_day, interval 1 day))::date as day
    from events as e
),

final as (
    select day, true as in_event from event_days
    union all
    select day, false as in_event from presence_days
)

select * from final
order by day
