-- R-tree index on place points (catchments, nearby places, nearest-place matching).
create index places_geom_rtree on places using rtree (geom)
