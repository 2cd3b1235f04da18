-- The operator's market shares, if an imported feed brought them.
select segment_group, month, market_share, sampling
from market_shares
order by segment_group, month
