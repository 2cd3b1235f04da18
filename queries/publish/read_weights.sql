-- The officials' expansion weights with the inputs the public weights are recomputed from (geo/publish/
-- estimates.py): never copied into the published file, whose weights come from published rows.
select segment_group, month_start, coverage, published, weight, method, fit_published, market_share
from expansion_weights
order by segment_group, month_start
