-- Every table and (user) view of the open database in any schema, with its kind: what a published file may
-- hold is checked against an allow-list (geo.db.PUBLISHED_TABLES) before public mode serves it.
with tables as (
    select schema_name, table_name as name, 'table' as kind
    from duckdb_tables()
    where database_name = current_database()
),

views as (
    select schema_name, view_name as name, 'view' as kind
    from duckdb_views()
    where database_name = current_database() and not internal
),

final as (
    select schema_name, name, kind from tables
    union all
    select schema_name, name, kind from views
)

select schema_name, name, kind from final
order by schema_name, name
