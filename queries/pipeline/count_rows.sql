-- Row count of one pipeline table (name from the allow-list in geo/sql.py).
select count(*) as n
from {{table}}
