-- Every row of one pipeline output, as its view shows it (texts, not codes), for `geo aggregate` to
-- write as Parquet; {{table}} is one of stays, place_visits, visits_hourly, trips.
select *
from {{table}}
