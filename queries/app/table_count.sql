-- Row count of one allow-listed table ({{table}} is filled only from geo.sql.ALLOWED_IDENTIFIERS).
select count(*) as n from {{table}}
