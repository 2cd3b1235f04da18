-- R-tree index on cell hexagons (viewport and area-summary filters).
create index cells_geom_rtree on cells using rtree (geom)
