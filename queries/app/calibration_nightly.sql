-- Estimated overnight visitors present at 02:00 per local month: their sum over the month's nights and the
-- number of nights with data (a night belongs to the month of its evening).
with final as (
    select
        cast(date_trunc('month', night) as date) as month_start,   -- first day of the local month
        sum(est_people) as est_visitor_nights,                      -- ESTIMATE: persons × nights
        count(distinct night)::bigint as nights                     -- nights with data
    from cell_nightly
    group by date_trunc('month', night)
)

select * from final
order by month_start
