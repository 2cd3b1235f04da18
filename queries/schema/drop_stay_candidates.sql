-- Drop the stay detection scratch table.
drop table if exists stay_candidates
