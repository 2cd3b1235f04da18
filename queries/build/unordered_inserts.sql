-- Let the pipeline's inserts write in any order (their tables have no meaningful row order; ~6% faster).
set preserve_insertion_order = false
