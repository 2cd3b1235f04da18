-- Store validated market shares (a registered frame, market_share_rows).
insert into market_shares (segment_group, month, market_share, sampling)
select segment_group, month::tinyint, market_share, sampling
from market_share_rows
