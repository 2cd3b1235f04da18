-- Every published figure, for the expansion weights fit.
select measure, segment, area, year, month, value, unit, status, source
from published_stats
order by measure, segment, area, year, month
