-- atlas_segment_group(text): an operator's word for an origin group as the atlas's group (resident, domestic,
-- international), or null when it is not one (part of atlas_segment, macro_segment.sql).
create or replace temp macro atlas_segment_group(g) as case
    when g in ('resident', 'residents', 'local', 'locals', 'home') then 'resident'
    when g in ('domestic', 'thai', 'dom', 'national', 'domestic_visitor') then 'domestic'
    when g in ('international', 'foreign', 'foreigner', 'foreigners', 'intl', 'inbound', 'overseas', 'inter')
        then 'international'
end
