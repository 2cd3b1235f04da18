-- Distinct devices present (any stay overlapping the month) per segment group and local month: the
-- observed side of the expansion weights and of the monthly calibration check.
with stay_months as (
    select
        s.device,
        split_part(s.segment, ':', 1) as segment_group,
        unnest(generate_series(
            date_trunc('month', s.stay_start),
            date_trunc('month', s.stay_end),
            interval 1 month
        )) as month_ts
    from stays as s
),

final as (
    select
        segment_group,                                  -- domestic | international | resident
        cast(month_ts as date) as month_start,          -- first day of the local month
        count(distinct device)::bigint as devices       -- devices present in the month
    from stay_months
    group by segment_group, month_ts
)

select * from final
order by segment_group, month_start
