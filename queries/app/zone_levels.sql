-- Every zone level loaded in `zones`, with its number of zones: $default_level (the project's tourism
-- zones) first, then the others by name.
with levels as (
    select level, count(*)::bigint as zones
    from zones
    group by level
),

final as (
    select level, zones, level = $default_level as is_default
    from levels
)

select level, zones from final
order by is_default desc, level
