-- Rows in pings (0 when the table is empty); run only when table_exists said it is there.
select count(*) as n from pings
