-- The names an aggregated feed may give a zone or a place by, for its lookup (temp table area_keys):
-- kind 'zone' (zones of level $zone_level, or of every level when it is null) or 'place'; key: the id (for an
-- imported level also the code the file gave, the id without its level prefix), the English or the Thai
-- name, lower-cased and trimmed; n: how many zones (places) share the key (above 1 the
-- key is ambiguous and a row using it is rejected).
create or replace temp table area_keys as
with zone_keys as (
    -- rank 0: an id (the zone_id, or the code it was imported with: zone_id without its "level_" prefix);
    -- rank 1: a name
    select distinct 'zone' as kind, lower(trim(t.k)) as key, zone_id as id, t.rank
    from zones, unnest([
        {'k': zone_id, 'rank': 0},
        {'k': case when starts_with(zone_id, level || '_') then substr(zone_id, length(level) + 2) end, 'rank': 0},
        {'k': name_en, 'rank': 1},
        {'k': name_th, 'rank': 1}
    ]) as u (t)
    where ($zone_level is null or level = $zone_level) and t.k is not null and trim(t.k) <> ''
),

place_keys as (
    select distinct 'place' as kind, lower(trim(t.k)) as key, place_id as id, t.rank
    from places, unnest([{'k': place_id, 'rank': 0}, {'k': name_en, 'rank': 1}, {'k': name_th, 'rank': 1}]) as u (t)
    where t.k is not null and trim(t.k) <> ''
),

-- an id wins over a name that happens to equal it
keys as (
    select kind, key, id, rank from zone_keys
    union all
    select kind, key, id, rank from place_keys
),

best as (
    select kind, key, id, rank, min(rank) over (partition by kind, key) as best_rank
    from keys
),

final as (
    select kind, key, min(id) as id, count(distinct id) as n
    from best
    where rank = best_rank
    group by kind, key
)

select kind, key, id, n from final
