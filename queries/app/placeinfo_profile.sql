-- Visitor profile rows of one place for the filters (months overlapping the date range, weekdays, arrival hours, segments).
with final as (
    select pp.month_start, pp.weekday, pp.hour, pp.segment_group, pp.visits, pp.dwell_minutes,
        pp.est_people  -- ESTIMATE: visits × expansion weight
    from place_profile as pp
    where pp.place_id = $place_id
      and pp.month_start between date_trunc('month', $start) and $end
      and list_contains($weekdays, pp.weekday)
      and pp.hour between $hour_from and $hour_to
      and list_contains($segments, pp.segment_group)
)
select * from final
order by month_start, weekday, hour, segment_group
