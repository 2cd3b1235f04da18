-- Per local month: estimated visitors (Σ weight × devices observed, domestic and international) against the
-- published visitors of the month (scaled to the days with data; null when a group has no published figure).
with visitor_rows as (
    select month_start, devices, weight, published
    from expansion_weights
    where segment_group in ('domestic', 'international')
),

final as (
    select
        month_start,                                                         -- first day of the local month
        sum(devices)::bigint as observed,                                    -- devices present in the month
        sum(weight * devices) as estimated,                                  -- ESTIMATE: visitors (people)
        case when count(published) = count(*) then sum(published) end as published  -- published visitors
    from visitor_rows
    group by month_start
)

select * from final
order by month_start
