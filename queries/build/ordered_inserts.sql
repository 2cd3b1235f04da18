-- Restore DuckDB's default: keep insertion order.
set preserve_insertion_order = true
