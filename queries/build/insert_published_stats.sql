-- Load the validated published statistics (a registered frame, published_rows) into published_stats.
insert into published_stats (measure, segment, area, year, month, value, unit, status, source)
select measure, segment, area, year::integer, month::tinyint, value, unit, status, source
from published_rows
