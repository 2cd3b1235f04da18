-- Per H3 cell: people-hours of non-residents (chosen measure) on an event's days and on its baseline days,
-- summed over each period's days (additive over cells: a zone's figure is the sum of its cells').
with cell_sums as (
    select
        c.cell,
        coalesce(sum(c.{{measure}}) filter (where list_contains($event_days, c.day)), 0)::double as event_total,
        coalesce(sum(c.{{measure}}) filter (where list_contains($baseline_days, c.day)), 0)::double as baseline_total
    from presence_cell_hourly as c
    where c.segment_group <> 'resident'
      and (list_contains($event_days, c.day) or list_contains($baseline_days, c.day))
    group by c.cell
),

final as (
    select
        s.cell,                                    -- H3 index (UBIGINT)
        cz.zone_id,                                -- tourism zone holding the cell's centre (null outside)
        s.event_total,                             -- people-hours over the event's days
        s.baseline_total                           -- people-hours over the baseline days
    from cell_sums as s
    left join cell_zones as cz on cz.cell = s.cell and cz.level = 'tourism_zone'
)

select * from final
order by cell
