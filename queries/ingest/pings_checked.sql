-- Check every row of an imported pings file (the view pings_numbered: row, file, device, ts, lat, lon,
-- segment, all as delivered) in one streaming pass; one output row per input row with its verdict, written
-- as Parquet under $folder, one subfolder bucket=B per bucket (a COPY streams; a relation with bound
-- parameters would be materialised first). Row numbers count data rows as the file does: a CSV's line
-- (ingest/pings_numbered_stream.sql), a Parquet file's 1-based row within that file, with the file's path
-- when a folder of files is imported (ingest/pings_numbered_files.sql).
-- action: null (accepted as is) | 'repaired' (lat/lon were swapped) | 'warning' (outside the destination's box)
-- | 'rejected'. With $strict a warning rejects. Device ids are hashed with a per-import salt ($salt) and never
-- stored as given. $typed_ts: ts is a TIMESTAMP column (Parquet), taken as it is where its text would
-- parse to the same value (years 1970-2399; others, such as a Buddhist-era year, go through the text
-- parser as from a CSV); $typed_coords: lat and lon are DOUBLE columns, taken as they are (their text
-- round-trips to the same double). Either spares a cast to text and back per value on a billion rows.
-- Only problem rows keep their row number and file (the report's list); accepted rows leave them null,
-- which costs nothing in the Parquet the rows are written to. bucket: the device's hash partition, the top
-- bits of the hash (>> $shift; geo/ingest/telecom.py writes one folder per bucket, so each device partition
-- of the pings table is later read from its own files: geo.build.pipeline.partition_bounds).
copy (
with src as (
    select
        row,
        file,
        nullif(trim(cast(device as varchar)), '') as device_text,
        cast(ts as varchar) as ts_text,
        case
            when $typed_ts and year(try_cast(ts as timestamp)) between 1970 and 2399 then try_cast(ts as timestamp)
            else atlas_parse_time(cast(ts as varchar))
        end as ts_value,
        case when $typed_coords then try_cast(lat as double)
            else try_cast(replace(trim(cast(lat as varchar)), ',', '.') as double) end as lat0,
        case when $typed_coords then try_cast(lon as double)
            else try_cast(replace(trim(cast(lon as varchar)), ',', '.') as double) end as lon0,
        trim(cast(coalesce(segment, $default_segment) as varchar)) as seg
    from pings_numbered
),

boxed as (
    select
        *,
        lon0 between $west and $east and lat0 between $south and $north as in_box,
        not (lon0 between $west and $east and lat0 between $south and $north)
        and lat0 between $west and $east and lon0 between $south and $north as swapped,
        lower(split_part(seg, ':', 1)) as seg_group,
        trim(substr(seg, length(split_part(seg, ':', 1)) + 2)) as seg_origin
    from src
),

verdict as (
    select
        *,
        case
            when device_text is null then 'missing device: the device id is empty'
            when ts_value is null then 'unreadable time: ' || coalesce(left(ts_text, 40), '(empty)')
            when ts_value < timestamp '1970-01-01' then 'time before 1970: ' || cast(ts_value as varchar)
            when ts_value > $latest then 'time in the future: ' || cast(ts_value as varchar)
            when lat0 is null or lon0 is null then 'coordinates not numbers: '
                || coalesce(left(cast(lat0 as varchar), 20), '?') || ', ' || coalesce(left(cast(lon0 as varchar), 20), '?')
            when not (isfinite(lat0) and isfinite(lon0)) then 'coordinates not finite numbers'
            when not swapped and abs(lon0) > 180 then 'longitude out of range: ' || cast(lon0 as varchar) || ' is outside ±180'
            when not swapped and abs(lat0) > 90 then 'latitude out of range: ' || cast(lat0 as varchar) || ' is outside ±90'
            when not (seg_group = 'resident' and seg_origin = ''
                      or seg_group = 'domestic'
                      or seg_group = 'international' and (seg_origin = '' or regexp_matches(seg_origin, '^[A-Za-z]{2}$')))
                then 'unknown segment: ' || left(seg, 40) || '; use resident, domestic[:Province] or international[:ISO country code]'
            when $strict and not in_box and not swapped then 'outside the destination: (' || cast(round(lat0, 5) as varchar)
                || ', ' || cast(round(lon0, 5) as varchar) || ') is outside the Chiang Mai province box (--strict)'
        end as reject_reason
    from boxed
),

final as (
    select
        case when reject_reason is not null or swapped or not in_box then row end as row,
        case when reject_reason is not null or swapped or not in_box then file end as file,
        hash($salt || device_text) as device,
        ts_value as ts,
        case when swapped then lat0 else lon0 end as lon,
        case when swapped then lon0 else lat0 end as lat,
        case
            when seg_group = 'international' and seg_origin <> '' then 'international:' || upper(seg_origin)
            when seg_group = 'domestic' and seg_origin <> '' then 'domestic:' || seg_origin
            else seg_group
        end as segment,
        case
            when reject_reason is not null then 'rejected'
            when swapped then 'repaired'
            when not in_box then 'warning'
        end as action,
        case
            when reject_reason like 'missing device%' then 'device'
            when reject_reason like '%time%' then 'ts'
            when reject_reason like 'unknown segment%' then 'segment'
            when reject_reason is not null or swapped or not in_box then 'lat/lon'
        end as field,
        coalesce(
            reject_reason,
            case
                when swapped then 'swapped lat/lon: (' || cast(lon0 as varchar) || ', ' || cast(lat0 as varchar)
                    || ') read as lat, lon; swapped back'
                when not in_box then 'outside the destination: (' || cast(round(lat0, 5) as varchar) || ', '
                    || cast(round(lon0, 5) as varchar) || ') is outside the Chiang Mai province box'
            end
        ) as reason
    from verdict
)

select *, device >> $shift as bucket from final
) to $folder (format parquet, partition_by (bucket))
