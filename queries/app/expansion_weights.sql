-- The expansion weights with their inputs (the Data page's method table and geo calibrate).
select segment_group, month_start, devices, coverage, published, weight, method, fit_published, fit_devices, market_share
from expansion_weights
order by segment_group, month_start
