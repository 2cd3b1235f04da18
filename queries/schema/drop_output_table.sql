-- Drop one of the pipeline's output tables (a base table left by an older build; see output_tables.sql).
drop table {{table}}
