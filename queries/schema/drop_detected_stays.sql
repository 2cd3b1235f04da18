-- Drop the table detect_stays_sql.sql writes (the SQL-only stay detection).
drop table if exists detected_stays
