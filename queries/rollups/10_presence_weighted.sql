-- visits_hourly with its segment group and expansion weight (temp view, shared by 11_presence_cell_profile.sql,
-- 12_presence_hourly.sql and 16_presence_cell_hourly.sql): one row per visits_hourly row; est_people is
-- visitors × the expansion weight of the segment group and month (estimated people present; 1.0 where no
-- weight is fitted, geo/build/estimates.py). A temp view: it lives on the build connection only and is
-- never stored in the database the app opens.
create or replace temp view presence_weighted as
select
    v.ts_hour,
    cast(v.ts_hour as date) as day,                  -- local date
    cast(hour(v.ts_hour) as tinyint) as hour,        -- local hour of day, 0..23
    v.cell,
    v.zone_id,
    split_part(v.segment, ':', 1) as segment_group,
    v.visitors,
    v.visitors * coalesce(w.weight, 1.0) as est_people,
    v.dwell_minutes
from visits_hourly as v
left join expansion_weights as w
    on w.segment_group = split_part(v.segment, ':', 1)
    and w.month_start = cast(date_trunc('month', v.ts_hour) as date)
