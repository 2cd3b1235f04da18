-- Public visits to one place per month in a month range (its published pub_place_visits rows).
select month_start, people, visits, dwell_minutes, est_visits  -- est_visits: ESTIMATE (visits × pooled weight)
from pub_place_visits
where place_id = $place_id
  and month_start between $first_month and $last_month
order by month_start
