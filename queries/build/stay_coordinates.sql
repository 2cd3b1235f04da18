-- Distinct stay centres rounded to 1e-4 degrees (about 11 m): the H3 cell is computed once per
-- rounded point in Python (the h3 package; DuckDB has no offline H3).
select distinct
    round(lat, 4) as lat4,   -- WGS84 degrees, 4 decimals
    round(lon, 4) as lon4
from stay_candidates
order by lat4, lon4
