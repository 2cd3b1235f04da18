-- Levels loaded in the zones table with their zone counts.
select level, count(*) as zones from zones group by level order by level
