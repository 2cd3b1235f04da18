-- First and last local day with stays, and the number of resident devices (the residents' weight divides by it).
with final as (
    select
        cast(min(stay_start) as date) as first_day,
        cast(max(stay_end) as date) as last_day,
        count(distinct device) filter (where segment = 'resident')::bigint as resident_devices
    from stays
)

select * from final
