"""Import lifecycle: bring an official's own files into the atlas database (issue 12).

``read`` turns a file of any supported format into a :class:`~geo.ingest.model.SourceTable` (attribute
columns plus WGS84 geometries, each row numbered as in the file); ``osm`` does the same for
OpenStreetMap extracts; ``fields`` maps source columns to the atlas's; ``validate`` checks every row and
reports each problem with its row, field and reason; ``load`` writes into a copy of the database and swaps
it in only when everything succeeded; ``run`` ties them together for the CLI and the Data page.
"""
