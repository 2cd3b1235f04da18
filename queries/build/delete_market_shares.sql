-- Forget the market shares of an earlier feed before a new file's are stored.
delete from market_shares
