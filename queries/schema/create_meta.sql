-- One row per dataset loaded into this database (shown on the Data page and in every page footer).
create table meta (
    dataset varchar primary key,      -- places | zones | cells | flows | an imported dataset name
    simulated boolean not null,       -- true when the rows come from the project's simulator
    seed integer,                     -- simulator seed (null for real data)
    sources varchar not null,         -- human-readable sources, see data/README.md
    params varchar,                   -- JSON of the build parameters (visitors, days, ...)
    built_at timestamp not null,      -- UTC build time
    version varchar not null          -- atlas version that built it
)
