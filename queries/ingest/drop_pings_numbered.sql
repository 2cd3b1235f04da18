-- Drop the numbered view of a pings import's source once the check has read it (geo/ingest/telecom.py).
drop view if exists pings_numbered
