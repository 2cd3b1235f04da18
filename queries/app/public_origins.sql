-- Public origin markets for a month range and segment groups: people per published origin (pub_origins),
-- summed over the months (a person here in two months counts twice), largest first.
with final as (
    select po.origin, po.segment_group, sum(po.people)::bigint as people, count(*)::integer as months
    from pub_origins as po
    where po.month_start between $first_month and $last_month
      and list_contains($segments, po.segment_group)
    group by po.origin, po.segment_group
)

select origin, segment_group, people, months from final
order by people desc, origin
