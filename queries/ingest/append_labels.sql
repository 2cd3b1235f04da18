-- Add the labels an aggregated import needs to the labels table without renumbering any code already stored:
-- every zone (of any level) and place loaded since the pipeline last ran, and the checked rows' segments
-- (aggregate_checked), each numbered after the largest code of its kind.
insert into labels (kind, code, label)
with wanted as (
    select 'zone' as kind, zone_id as label from zones
    union
    select 'place', place_id from places
    union
    select 'segment', segment from aggregate_checked where action is distinct from 'rejected'
),

missing as (
    select w.kind, w.label
    from wanted as w
    anti join labels as l on l.kind = w.kind and l.label = w.label
),

final as (
    select
        m.kind,
        cast(coalesce(t.top, -1) + row_number() over (partition by m.kind order by m.label) as integer) as code,
        m.label
    from missing as m
    left join (select kind, max(code) as top from labels group by kind) as t on t.kind = m.kind
)

select kind, code, label from final
