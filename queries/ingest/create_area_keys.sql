-- The names an aggregated feed may give a zone or a place by, for its lookup (temp table area_keys):
-- kind 'zone' (zones of level $zone_level, or of every level when it is null) or 'place'; key: the id, the
-- English or the Thai name, lower-cased and trimmed; n: how many zones (places) share the key (above 1 the
-- key is ambiguous and a row using it is rejected).
create or replace temp table area_keys as
with zone_keys as (
    select distinct 'zone' as kind, lower(trim(k)) as key, zone_id as id
    from zones, unnest([zone_id, name_en, name_th]) as t (k)
    where ($zone_level is null or level = $zone_level) and k is not null and trim(k) <> ''
),

place_keys as (
    select distinct 'place' as kind, lower(trim(k)) as key, place_id as id
    from places, unnest([place_id, name_en, name_th]) as t (k)
    where k is not null and trim(k) <> ''
),

-- an id wins over a name that happens to equal it
keys as (
    select kind, key, id, 0 as rank from zone_keys where key = lower(trim(id))
    union all
    select kind, key, id, 1 from zone_keys where key <> lower(trim(id))
    union all
    select kind, key, id, 0 from place_keys where key = lower(trim(id))
    union all
    select kind, key, id, 1 from place_keys where key <> lower(trim(id))
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
