-- What the officials' database was built from: stays (simulated or imported pings, the pipeline's output) or an
-- operator's aggregated presence feed (visits_hourly without stays; docs/import.md).
select
    exists (select 1 from stays) as has_stays,
    exists (select 1 from visits_hourly) as has_presence
