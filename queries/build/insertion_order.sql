-- Whether DuckDB keeps insertion order (the pipeline turns it off while it writes its tables).
select cast(current_setting('preserve_insertion_order') as boolean) as preserve
