-- Check every row of an operator's origin-destination table (registered relation trips_source: day, level,
-- origin, destination, segment, visitor_type, trips, as delivered; absent fields null) in one streaming pass
-- into the temp table aggregate_checked, one row per input row with its verdict.
-- A row's level is 'place' when its level column says so, 'zone' for any other text, and $default_kind
-- without one; origin and destination are ids or names looked up in area_keys (create_area_keys.sql: zones
-- of the level given with --level, $zone_level_name in messages, null for every level). Segments as visits_checked.sql.
-- action: null | 'rejected'.
create or replace temp table aggregate_checked as
with src as (
    select
        row_number() over () + $first_row - 1 as row,
        cast(day as varchar) as day_text,
        lower(trim(cast(level as varchar))) as level_text,
        trim(cast(origin as varchar)) as origin_text,
        trim(cast(destination as varchar)) as destination_text,
        coalesce(nullif(trim(cast(segment as varchar)), ''), $default_segment) as seg_text,
        nullif(trim(cast(visitor_type as varchar)), '') as vtype_text,
        cast(trips as varchar) as trips_text
    from trips_source
),

mapped as (
    -- an operator's spelling given with --category SRC=SEGMENT, then the segment split into its two parts once
    -- (macro_segment_map.sql, macro_segment_word.sql, macro_segment_origin.sql)
    select *, atlas_segment_word(seg_mapped) as seg_word, atlas_segment_origin(seg_mapped) as seg_origin
    from (select *, atlas_segment_mapped(seg_text, $has_seg_map, $seg_src, $seg_dest) as seg_mapped from src)
),

parsed as (
    select
        *,
        cast(atlas_parse_time(day_text) as date) as day_value,
        case when level_text = 'place' or level_text is null and $default_kind = 'place' then 'place' else 'zone' end
            as kind,
        atlas_segment(seg_word, seg_origin) as seg,
        atlas_visitor_type(vtype_text) as vtype0,
        atlas_count(trips_text) as trips0
    from mapped
),

looked_up as (
    select
        p.*,
        o.id as origin_id,
        o.n as origin_matches,
        d.id as destination_id,
        d.n as destination_matches
    from parsed as p
    left join area_keys as o on o.kind = p.kind and o.key = lower(p.origin_text)
    left join area_keys as d on d.kind = p.kind and d.key = lower(p.destination_text)
),

verdict as (
    select
        *,
        case
            when day_value is null then 'unreadable date: ' || coalesce(left(day_text, 40), '(empty)')
            when day_value < date '1970-01-01' then 'date before 1970: ' || cast(day_value as varchar)
            when day_value > cast($latest as date) then 'date in the future: ' || cast(day_value as varchar)
            when origin_text is null or origin_text = '' then 'missing origin'
            when destination_text is null or destination_text = '' then 'missing destination'
            when origin_id is null then 'unknown ' || kind || ': origin ' || left(origin_text, 60) || ' is not the id or name of '
                || case when kind = 'place' then 'a loaded place' else 'a loaded zone' || coalesce(' of level ' || $zone_level_name, '') end
            when destination_id is null then 'unknown ' || kind || ': destination ' || left(destination_text, 60)
                || ' is not the id or name of '
                || case when kind = 'place' then 'a loaded place' else 'a loaded zone' || coalesce(' of level ' || $zone_level_name, '') end
            when origin_matches > 1 then 'ambiguous ' || kind || ': origin ' || left(origin_text, 60) || ' names '
                || cast(origin_matches as varchar) || ' ' || kind || 's; give the id'
            when destination_matches > 1 then 'ambiguous ' || kind || ': destination ' || left(destination_text, 60)
                || ' names ' || cast(destination_matches as varchar) || ' ' || kind || 's; give the id'
            when seg is null then 'unknown segment: ' || left(seg_text, 40)
                || '; use resident, domestic[:Province] or international[:ISO country code] (or map it with --category SRC=SEGMENT)'
            when vtype_text is not null and vtype0 is null then 'unknown visitor type: ' || left(vtype_text, 40)
                || '; use resident, overnight or day_tripper'
            when trips0 is null then 'trips not a number: ' || coalesce(left(trips_text, 40), '(empty)')
            when not isfinite(trips0) then 'trips not a finite number'
            when trips0 < 0 then 'negative count: trips ' || trips_text
            when trips0 <> floor(trips0) then 'not a whole number: trips ' || trips_text
            when trips0 > 2147483647 then 'count too large: trips ' || trips_text
        end as reject_reason,
        coalesce(vtype0, case when seg = 'resident' then 'resident' else 'overnight' end) as vtype
    from looked_up
),

ranked as (
    -- the first row of each key among the rows not rejected for another reason (later ones are duplicates)
    select
        *,
        min(row) filter (where reject_reason is null)
            over (partition by day_value, kind, origin_id, destination_id, seg, vtype) as first_row_of_key
    from verdict
),

final as (
    select
        v.row,
        v.day_value as day,
        v.kind as level,
        v.origin_id as origin,
        v.destination_id as destination,
        v.seg as segment,
        v.vtype as visitor_type,
        cast(case when v.reject_reason is null and v.first_row_of_key = v.row then v.trips0 end as integer) as trips,
        case when v.reject_reason is not null or v.first_row_of_key <> v.row then 'rejected' end as action,
        case
            when v.reject_reason like '%date%' then 'day'
            when v.reject_reason like '%origin%' then 'origin'
            when v.reject_reason like '%destination%' then 'destination'
            when v.reject_reason like 'unknown segment%' then 'segment'
            when v.reject_reason like 'unknown visitor type%' then 'visitor_type'
            when v.reject_reason is not null then 'trips'
            when v.first_row_of_key <> v.row then 'origin'
        end as field,
        case
            when v.reject_reason is not null then v.reject_reason
            when v.first_row_of_key <> v.row then 'duplicate key: the same day, origin, destination, segment and '
                || 'visitor type as row ' || cast(v.first_row_of_key as varchar) || ' (only the first is kept)'
        end as reason
    from ranked as v
)

select * from final
