-- Problems of a checked aggregated import counted by action and kind (the text before the first colon).
select action, split_part(reason, ':', 1) as kind, count(*) as rows
from aggregate_checked
where action is not null
group by all
order by rows desc, action, kind
