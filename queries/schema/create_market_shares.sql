-- An operator feed's own market shares (geo import --layer pings --market-shares FILE): when present for a
-- segment group, its expansion weight is 1 / (market_share x sampling) instead of a fit to published figures.
create table if not exists market_shares (
    segment_group varchar not null,   -- domestic | international | resident
    month tinyint,                    -- 1..12, null for every month
    market_share double not null,     -- operator's share of the segment's people, (0, 1]
    sampling double not null          -- share of the operator's subscribers in the feed, (0, 1]
)
