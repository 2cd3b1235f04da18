-- Empty one of the pipeline's coded tables (an aggregated import replacing what it held).
delete from {{data_table}}
