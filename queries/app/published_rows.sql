-- Every published figure with its status and source (the Data page and the calibration).
select measure, segment, area, year, month, value, unit, status, source
from published_stats
order by measure, segment, area, year, month
