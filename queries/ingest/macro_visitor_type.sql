-- atlas_visitor_type(text) -> resident | overnight | day_tripper, or null when the word is not one of them
-- (an aggregated feed's visitor type, common spellings accepted).
create or replace temp macro atlas_visitor_type(t) as case regexp_replace(lower(trim(t)), '[\s\-]+', '_', 'g')
    when 'resident' then 'resident'
    when 'residents' then 'resident'
    when 'local' then 'resident'
    when 'overnight' then 'overnight'
    when 'overnight_visitor' then 'overnight'
    when 'stayover' then 'overnight'
    when 'tourist' then 'overnight'
    when 'day_tripper' then 'day_tripper'
    when 'daytripper' then 'day_tripper'
    when 'day_trip' then 'day_tripper'
    when 'daytrip' then 'day_tripper'
    when 'same_day' then 'day_tripper'
    when 'excursionist' then 'day_tripper'
end
