-- Origin mix of one place: visits per origin segment and visitor type in the months overlapping the date range.
with final as (
    select po.segment, po.segment_group, po.visitor_type, sum(po.visits)::bigint as visits
    from place_origins as po
    where po.place_id = $place_id
      and po.month_start between date_trunc('month', $start) and $end
      and list_contains($segments, po.segment_group)
    group by po.segment, po.segment_group, po.visitor_type
)
select * from final
order by visits desc, segment, visitor_type
