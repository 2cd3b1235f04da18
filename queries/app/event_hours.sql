-- People present per hour of day (non-residents, chosen measure) on an event's days and on its baseline days,
-- summed over each period's days, in the event's zones ($zone_ids; an empty list = every zone).
with rows as (
    select
        case when list_contains($event_days, h.day) then 'event' else 'baseline' end as period,
        h.hour,
        h.{{measure}} as visitors
    from presence_hourly as h
    where h.segment_group <> 'resident'
      and (len($zone_ids) = 0 or list_contains($zone_ids, h.zone_id))
      and (list_contains($event_days, h.day) or list_contains($baseline_days, h.day))
),

final as (
    select
        period,
        hour,                                      -- local hour of day, 0..23
        sum(visitors)::double as visitors          -- people present in the hour, summed over the days
    from rows
    group by period, hour
)

select * from final
order by period, hour
