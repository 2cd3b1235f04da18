"""Records shared by every import step: a problem found in a row, and a source file read into a table."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from geo.i18n import N_, _

# What happened to the row (or the file) because of a problem:
#   refused  - the whole file cannot be imported (empty, wrong format, unknown CRS, too big, ...)
#   rejected - this row is left out (the rest of the file may still be imported)
#   repaired - the row was changed to make it usable (swapped lat/lon, closed ring, ST_MakeValid, ...)
#   warning  - the row is imported as it is, but an official should know (outside the area, ...)
Action = Literal["refused", "rejected", "repaired", "warning"]
ACTIONS: tuple[str, ...] = ("refused", "rejected", "repaired", "warning")
#: Each action as a person reads it (the Data page's problems table, the summary, ``Problem.__str__``).
ACTION_LABELS: dict[str, str] = {"refused": N_("refused"), "rejected": N_("rejected"), "repaired": N_("repaired"),
                                 "warning": N_("warning")}

#: The kinds of problem the SQL checks of pings, presence and trips write (``queries/ingest/*_checked.sql``:
#: ``'<kind>: <details>'``). SQL cannot call the catalogue, so ``reason_text`` translates the kind when the
#: rows are read back; the details are values from the file, shown as they are.
SQL_REASON_KINDS: tuple[str, ...] = (
    N_("ambiguous zone"), N_("coordinates not numbers"), N_("count too large"), N_("date in the future"),
    N_("duplicate key"), N_("latitude out of range"), N_("longitude out of range"), N_("missing device"),
    N_("negative count"), N_("not a whole number"), N_("outside the destination"), N_("time in the future"),
    N_("time inside the hour"), N_("trips not a number"), N_("unknown cell"), N_("unknown segment"),
    N_("unknown visitor type"), N_("unknown zone"), N_("unreadable date"), N_("unreadable time"),
    N_("visitors not a number"), N_("zone without cells"),
)
#: Whole reasons the SQL checks write with no value in them, translated as a whole.
SQL_REASONS: tuple[str, ...] = (N_("missing device: the device id is empty"),)


def action_label(action: str) -> str:
    """An action (``rejected``, ...) in the current language."""
    label = ACTION_LABELS.get(action)
    return _(label) if label else action


def reason_text(reason: str) -> str:
    """A reason written by the SQL checks in the current language: a whole known reason translated, else its
    kind (the part before ``:``) when it is one of ``SQL_REASON_KINDS``; any other text as it is."""
    if reason in SQL_REASONS:
        return _(reason)
    kind, sep, rest = reason.partition(":")
    if sep and kind in SQL_REASON_KINDS:
        return _(kind) + sep + rest
    return reason


def kind_text(kind: str) -> str:
    """A kind of problem counted by the SQL checks, in the current language."""
    return _(kind) if kind in SQL_REASON_KINDS else kind


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
        where = _("file") if self.row is None else _("row {row}").format(row=self.row)
        if self.field:
            where += _(", field {field}").format(field=repr(self.field))
        return f"{where}: {self.reason} ({action_label(self.action)})"


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
