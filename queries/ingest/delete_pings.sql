-- Empty the pings table (an aggregated presence import replaces the device-level sample).
delete from pings
