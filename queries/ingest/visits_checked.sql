-- Check every row of an operator's hourly presence table (registered relation visits_source: ts_hour, date,
-- hour, cell, zone, segment, visitor_type, visitors, dwell_minutes, all as delivered; absent fields null) in
-- one streaming pass into the temp table aggregate_checked, one row per input row with its verdict.
-- $by: 'cell' (H3 index as hex text or integer, one of the atlas's cells) or 'zone' (id or name of a zone in
-- area_keys, create_area_keys.sql). Row numbers count data rows as the file does ($first_row).
-- Segments pass through --category SRC=DEST ($seg_src, $seg_dest: lower-cased sources) and atlas_segment;
-- an empty segment is $default_segment. A missing visitor type is 'resident' for residents and 'overnight'
-- otherwise (docs/import.md). action: null | 'repaired' (a time inside the hour, counted in its hour) | 'rejected'.
create or replace temp table aggregate_checked as
with src as (
    select
        row_number() over () + $first_row - 1 as row,
        cast(ts_hour as varchar) as ts_text,
        cast(date as varchar) as date_text,
        trim(cast(hour as varchar)) as hour_text,
        case when $by = 'cell' then trim(cast(cell as varchar)) end as cell_text,
        case when $by = 'zone' then trim(cast(zone as varchar)) end as zone_text,
        coalesce(nullif(trim(cast(segment as varchar)), ''), $default_segment) as seg_text,
        nullif(trim(cast(visitor_type as varchar)), '') as vtype_text,
        cast(visitors as varchar) as visitors_text,
        cast(dwell_minutes as varchar) as dwell_text
    from visits_source
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
        case
            when ts_text is not null then atlas_parse_time(ts_text)
            when try_cast(hour_text as integer) between 0 and 23
                then atlas_parse_time(date_text) + to_hours(try_cast(hour_text as integer))
            when hour_text is not null and try_cast(hour_text as time) is not null
                then atlas_parse_time(date_text) + to_hours(hour(try_cast(hour_text as time)))
            when hour_text is null then atlas_parse_time(date_text)
        end as ts_value,
        case
            when $by <> 'cell' then null
            when regexp_full_match(cell_text, '[0-9]{17,20}') then try_cast(cell_text as ubigint)
            when regexp_full_match(lower(cell_text), '(0x)?[0-9a-f]{15,16}')
                then try_cast('0x' || regexp_replace(lower(cell_text), '^0x', '') as ubigint)
        end as cell_value,
        atlas_segment(seg_word, seg_origin) as seg,
        atlas_visitor_type(vtype_text) as vtype0,
        atlas_count(visitors_text) as visitors0,
        atlas_count(dwell_text) as dwell0
    from mapped
),

looked_up as (
    select
        p.*,
        c.cell as known_cell,
        k.id as zone_match,
        k.n as zone_matches,
        coalesce(z.cells, 0) as zone_cells
    from parsed as p
    left join cells as c on c.cell = p.cell_value
    left join area_keys as k on k.kind = 'zone' and k.key = lower(p.zone_text)
    left join (select zone_id, count(*) as cells from cell_zones where level = $level group by zone_id) as z
        on z.zone_id = k.id
),

verdict as (
    select
        *,
        case
            when ts_value is null then 'unreadable time: ' || coalesce(left(coalesce(ts_text, date_text || ' ' || hour_text,
                date_text, hour_text), 40), '(empty)')
            when ts_value < timestamp '1970-01-01' then 'time before 1970: ' || cast(ts_value as varchar)
            when ts_value > $latest then 'time in the future: ' || cast(ts_value as varchar)
            when $by = 'cell' and cell_text is null or $by = 'zone' and zone_text is null then 'missing ' || $by
            when $by = 'cell' and cell_value is null then 'not an H3 cell: ' || left(cell_text, 40)
                || ' is neither an H3 index in hex (886482c68bfffff) nor as an integer'
            when $by = 'cell' and ((cell_value >> 59) & 15 <> 1 or cell_value >> 63 = 1)
                then 'not an H3 cell: ' || left(cell_text, 40) || ' is not a valid H3 cell index'
            when $by = 'cell' and ((cell_value >> 52) & 15) <> $resolution then 'wrong H3 resolution: '
                || left(cell_text, 40) || ' is resolution ' || cast((cell_value >> 52) & 15 as varchar)
                || '; the atlas uses ' || cast($resolution as varchar)
            when $by = 'cell' and known_cell is null then 'unknown cell: ' || left(cell_text, 40)
                || ' is outside the province (not one of the atlas''s H3 cells)'
            when $by = 'zone' and zone_match is null then 'unknown zone: ' || left(zone_text, 60)
                || ' is not the id or name of a zone of level ' || $level
            when $by = 'zone' and zone_matches > 1 then 'ambiguous zone: ' || left(zone_text, 60) || ' names '
                || cast(zone_matches as varchar) || ' zones of level ' || $level || '; give the zone id'
            when $by = 'zone' and zone_cells = 0 then 'zone without cells: ' || zone_match
                || ' holds no H3 cell centre, so its presence cannot be placed on the map'
            when seg is null then 'unknown segment: ' || left(seg_text, 40)
                || '; use resident, domestic[:Province] or international[:ISO country code] (or map it with --category SRC=SEGMENT)'
            when vtype_text is not null and vtype0 is null then 'unknown visitor type: ' || left(vtype_text, 40)
                || '; use resident, overnight or day_tripper'
            when visitors0 is null then 'visitors not a number: ' || coalesce(left(visitors_text, 40), '(empty)')
            when not isfinite(visitors0) then 'visitors not a finite number'
            when visitors0 < 0 then 'negative count: visitors ' || visitors_text
            when visitors0 <> floor(visitors0) then 'not a whole number: visitors ' || visitors_text
                || ' (unique devices are counted in whole devices)'
            when visitors0 > 2147483647 then 'count too large: visitors ' || visitors_text
            when dwell_text is not null and trim(dwell_text) <> '' and (dwell0 is null or not isfinite(dwell0))
                then 'dwell_minutes not a number: ' || left(dwell_text, 40)
            when dwell0 < 0 then 'negative count: dwell_minutes ' || dwell_text
        end as reject_reason
    from looked_up
),

keyed as (
    select
        *,
        date_trunc('hour', ts_value) as hour_start,
        coalesce(vtype0, case when seg = 'resident' then 'resident' else 'overnight' end) as vtype
    from verdict
),

ranked as (
    -- the first row of each key among the rows not rejected for another reason (later ones are duplicates)
    select
        *,
        min(row) filter (where reject_reason is null)
            over (partition by hour_start, cell_value, zone_match, seg, vtype) as first_row_of_key
    from keyed
),

final as (
    select
        k.row,
        k.hour_start as ts_hour,
        case when k.reject_reason is null and $by = 'cell' then k.cell_value end as cell,
        case when k.reject_reason is null and $by = 'zone' then k.zone_match end as zone_id,
        k.seg as segment,
        k.vtype as visitor_type,
        cast(case when k.reject_reason is null and k.first_row_of_key = k.row then k.visitors0 end as integer)
            as visitors,
        k.dwell0 as dwell_minutes,
        case
            when k.reject_reason is not null or k.first_row_of_key <> k.row then 'rejected'
            when k.hour_start <> k.ts_value then 'repaired'
        end as action,
        case
            when k.reject_reason like '%time%' then 'ts_hour'
            when k.reject_reason is not null and k.reject_reason similar to '(missing |not an H3|wrong H3|unknown cell|unknown zone|ambiguous zone|zone without).*'
                then $by
            when k.reject_reason like 'unknown segment%' then 'segment'
            when k.reject_reason like 'unknown visitor type%' then 'visitor_type'
            when k.reject_reason like '%dwell_minutes%' then 'dwell_minutes'
            when k.reject_reason is not null then 'visitors'
            when k.first_row_of_key <> k.row then $by
            when k.hour_start <> k.ts_value then 'ts_hour'
        end as field,
        case
            when k.reject_reason is not null then k.reject_reason
            when k.first_row_of_key <> k.row then 'duplicate key: the same hour, ' || $by || ', segment and visitor '
                || 'type as row ' || cast(k.first_row_of_key as varchar) || ' (only the first is kept)'
            when k.hour_start <> k.ts_value then 'time inside the hour: ' || cast(k.ts_value as varchar)
                || ' counted in the hour from ' || strftime(k.hour_start, '%H:%M')
        end as reason
    from ranked as k
)

select * from final
