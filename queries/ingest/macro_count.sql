-- atlas_count(text) -> double or null: a delivered count as a number (a comma decimal separator read as a point,
-- thousands spaces or underscores dropped). Checked for sign and wholeness by the caller.
create or replace temp macro atlas_count(t) as
    try_cast(replace(regexp_replace(trim(cast(t as varchar)), '[\s_]', '', 'g'), ',', '.') as double)
