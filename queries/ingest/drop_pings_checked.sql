-- Drop the checked rows of a pings import once the accepted ones are in pings (frees its temp storage
-- before the pipeline runs).
drop table if exists pings_checked
