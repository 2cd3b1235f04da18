-- Place visits from the presence cube when there are no place visits from stays (an operator's aggregated
-- feed; a temp table on the build connection, computed once and read by 15_presence_place_daily.sql, 30_place_profile.sql and 32_place_origins.sql;
-- empty when stays or place visits exist). Without devices a visit cannot be followed, so a place's visits are approximated
-- by the arrivals in its H3 cell: per cell, segment and visitor type, the rise in unique devices from one
-- hour to the next (an hour with no row counts as 0), i.e. the net inflow, a lower bound of the arrivals.
-- The arrivals are shared by the places in the cell in whole visits (each gets arrivals // n, the
-- remainder goes one each to places ranked by a hash of place and hour), so places add up to their cells.
-- dwell_minutes: the cell's minutes present that day shared over the day's arrivals.
create or replace temp table place_arrivals as
with cube as (
    select ts_hour, cell, segment, visitor_type, sum(visitors) as visitors, sum(dwell_minutes) as dwell_minutes
    from visits_hourly
    where not exists (select 1 from place_visits) and not exists (select 1 from stays)
        and cell in (select cell from places)
    group by ts_hour, cell, segment, visitor_type
),

steps as (
    select
        *,
        greatest(visitors - case
            when lag(ts_hour) over w = ts_hour - interval 1 hour then lag(visitors) over w else 0
        end, 0) as arrivals
    from cube
    window w as (partition by cell, segment, visitor_type order by ts_hour)
),

days as (
    select
        *,
        sum(arrivals) over (partition by cell, segment, visitor_type, cast(ts_hour as date)) as day_arrivals,
        sum(dwell_minutes) over (partition by cell, segment, visitor_type, cast(ts_hour as date)) as day_dwell
    from steps
),

places_in_cells as (
    select place_id, cell, count(*) over (partition by cell) as n
    from places
),

shares as (
    select
        p.place_id,
        d.ts_hour,
        d.segment,
        d.visitor_type,
        d.arrivals,
        d.day_arrivals,
        d.day_dwell,
        d.arrivals // p.n + case
            when row_number() over (
                partition by d.cell, d.ts_hour, d.segment, d.visitor_type
                order by hash(p.place_id, d.ts_hour, d.segment, d.visitor_type), p.place_id
            ) <= d.arrivals % p.n then 1 else 0
        end as visits
    from days as d
    inner join places_in_cells as p on p.cell = d.cell
    where d.arrivals > 0
),

final as (
    select
        place_id,
        ts_hour as visit_start,                                 -- local hour the arrivals were seen
        segment,
        visitor_type,
        cast(visits as bigint) as visits,                       -- the place's share of its cell's arrivals
        day_dwell * visits / day_arrivals as dwell_minutes
    from shares
    where visits > 0
)

select place_id, visit_start, segment, visitor_type, visits, dwell_minutes from final
