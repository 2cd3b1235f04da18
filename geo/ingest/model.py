"""Records shared by every import step: a problem found in a row, and a source file read into a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

# What happened to the row (or the file) because of a problem:
#   refused  - the whole file cannot be imported (empty, wrong format, unknown CRS, too big, ...)
#   rejected - this row is left out (the rest of the file may still be imported)
#   repaired - the row was changed to make it usable (swapped lat/lon, closed ring, ST_MakeValid, ...)
#   warning  - the row is imported as it is, but an official should know (outside the area, ...)
Action = Literal["refused", "rejected", "repaired", "warning"]
ACTIONS: tuple[str, ...] = ("refused", "rejected", "repaired", "warning")


@dataclass(frozen=True)
class Problem:
    """One problem: where (row or feature number as the file counts them, field) and why, and what was done.

    ``row`` is ``None`` for a problem with the whole file. Rows are numbered the way an official would find
    them: for CSV/TSV the line number in the file (the header is line 1), for GeoJSON and other feature
    files the feature's 1-based position.
    """

    row: int | None
    field: str | None
    reason: str
    action: Action

    def __str__(self) -> str:
        where = "file" if self.row is None else f"row {self.row}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.reason} ({self.action})"


@dataclass
class SourceTable:
    """A file read into rows, before any atlas meaning is given to its columns.

    ``frame`` holds the attribute columns exactly as named in the file, values as read (text for CSV, the
    driver's types otherwise), indexed by the row number ``Problem.row`` uses. When the source has
    geometries, ``frame`` also has a ``geometry`` column of Shapely geometries already in WGS84 lon/lat
    (``None`` where a feature had none or it could not be read; such rows carry a problem). ``problems``
    are what reading found (repairs such as a reprojection are reported once, as a file-level problem with
    action "repaired" or "warning").
    """

    name: str                      # the file name as the official gave it (not a server path)
    format: str                    # csv | tsv | geojson | gpkg | shapefile | geoparquet | kml | flatgeobuf | osm
    frame: pd.DataFrame
    has_geometry: bool
    encoding: str | None = None    # text files: the encoding detected (utf-8, utf-8-sig, cp874, ...)
    crs: str | None = None         # the source CRS as read (e.g. "EPSG:32647"); None for plain CSV
    layer: str | None = None       # the layer read, for multi-layer files (GeoPackage)
    problems: list[Problem] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Number of rows (features) read."""
        return len(self.frame)


def source_format_for(path: Path) -> str | None:
    """The format an extension announces (``None`` when the extension is not one the atlas reads)."""
    name = path.name.lower()
    for suffix, fmt in SUFFIX_FORMATS:
        if name.endswith(suffix):
            return fmt
    return None


# Longest suffixes first: ".osm.pbf" before ".pbf", ".shp.zip" before ".zip".
SUFFIX_FORMATS: tuple[tuple[str, str], ...] = (
    (".osm.pbf", "osm"), (".osm", "osm"), (".pbf", "osm"),
    (".shp.zip", "shapefile"), (".zip", "shapefile"),
    (".geojson", "geojson"), (".json", "geojson"),
    (".gpkg", "gpkg"), (".parquet", "geoparquet"), (".geoparquet", "geoparquet"),
    (".kml", "kml"), (".fgb", "flatgeobuf"),
    (".csv", "csv"), (".tsv", "tsv"), (".txt", "csv"),
)
