-- Segment code of each device of the current partition (device_segments), in device order: the codes the
-- stream engine stores (labels, kind 'segment'), -1 where the device carries no segment. Numbers only,
-- so the partition's lookup reads two integer columns instead of texts.
with final as (
    select
        d.device,
        coalesce(l.code, -1) as segment_code
    from device_segments as d
    left join labels as l on l.kind = 'segment' and l.label = d.segment
)

select device, segment_code from final
order by device
