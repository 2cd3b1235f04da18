-- R-tree indexes where spatial filters run (zone containment, nearby places).
create index zones_geom_rtree on zones using rtree (geom)
