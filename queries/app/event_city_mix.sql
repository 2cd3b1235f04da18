-- The whole city on an event's days and on its baseline days: people-days by origin segment and visitor type
-- (in the chosen measure), summed over each period's days. Feeds the headline, the origin mix and the
-- overnight share. period: 'event' | 'baseline'.
with rows as (
    select
        case when list_contains($event_days, d.day) then 'event' else 'baseline' end as period,
        d.segment,
        d.visitor_type,
        d.{{measure}} as visitors
    from presence_daily as d
    where list_contains($event_days, d.day) or list_contains($baseline_days, d.day)
),

final as (
    select
        period,
        segment,                                   -- resident | domestic:<province> | international:<ISO2>
        visitor_type,                              -- resident | overnight | day_tripper
        sum(visitors)::double as visitors          -- people-days over the period's days
    from rows
    group by period, segment, visitor_type
)

select * from final
order by period, segment, visitor_type
