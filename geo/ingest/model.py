"""Records shared by every import step: a problem found in a row, and a source file read into a table."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
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
#: ``'<kind>: <details>'``), translated when the per-kind counts are read back (``kind_text``).
SQL_REASON_KINDS: tuple[str, ...] = (
    N_("ambiguous place"), N_("ambiguous zone"), N_("coordinates not finite numbers"), N_("coordinates not numbers"),
    N_("count too large"), N_("date before 1970"), N_("date in the future"), N_("duplicate key"),
    N_("dwell_minutes not a number"), N_("latitude out of range"), N_("longitude out of range"), N_("missing cell"),
    N_("missing destination"), N_("missing device"), N_("missing origin"), N_("missing zone"),
    N_("negative count"), N_("not a whole number"), N_("not an H3 cell"), N_("outside the destination"),
    N_("swapped lat/lon"), N_("time before 1970"), N_("time in the future"), N_("time inside the hour"),
    N_("trips not a finite number"), N_("trips not a number"), N_("unknown cell"), N_("unknown place"),
    N_("unknown segment"), N_("unknown visitor type"), N_("unknown zone"), N_("unreadable date"),
    N_("unreadable time"), N_("visitors not a finite number"), N_("visitors not a number"),
    N_("wrong H3 resolution"), N_("zone without cells"),
)
#: Every whole reason the SQL checks write, as a template with the values from the file as named placeholders.
#: The SQL keeps writing the English sentence (one pass over millions of rows, no catalogue in DuckDB, and the
#: CLI's English output stays byte for byte what it was); ``reason_text`` matches a reason read back against
#: these templates and words it again with ``_()`` and ``.format``, so a translator sees whole sentences.
#: A reason no template matches (a wording changed in SQL and not here) falls back to translating its kind;
#: tests/test_i18n_ingest.py runs every check and fails on such a reason. Keep the two in step.
SQL_REASONS: tuple[str, ...] = (
    # pings (queries/ingest/pings_checked.sql)
    N_("missing device: the device id is empty"),
    N_("unreadable time: {value}"),
    N_("time before 1970: {value}"),
    N_("time in the future: {value}"),
    N_("coordinates not numbers: {lat}, {lon}"),
    N_("coordinates not finite numbers"),
    N_("longitude out of range: {value} is outside ±180"),
    N_("latitude out of range: {value} is outside ±90"),
    N_("unknown segment: {value}; use resident, domestic[:Province] or international[:ISO country code]"),
    N_("outside the destination: ({lat}, {lon}) is outside the Chiang Mai province box (--strict)"),
    N_("outside the destination: ({lat}, {lon}) is outside the Chiang Mai province box"),
    N_("swapped lat/lon: ({lon}, {lat}) read as lat, lon; swapped back"),
    # trips (queries/ingest/trips_checked.sql)
    N_("unreadable date: {value}"),
    N_("date before 1970: {value}"),
    N_("date in the future: {value}"),
    N_("missing origin"),
    N_("missing destination"),
    N_("unknown place: origin {value} is not the id or name of a loaded place"),
    N_("unknown zone: origin {value} is not the id or name of a loaded zone"),
    N_("unknown zone: origin {value} is not the id or name of a loaded zone of level {level}"),
    N_("unknown place: destination {value} is not the id or name of a loaded place"),
    N_("unknown zone: destination {value} is not the id or name of a loaded zone"),
    N_("unknown zone: destination {value} is not the id or name of a loaded zone of level {level}"),
    N_("ambiguous place: origin {value} names {n} places; give the id"),
    N_("ambiguous zone: origin {value} names {n} zones; give the id"),
    N_("ambiguous place: destination {value} names {n} places; give the id"),
    N_("ambiguous zone: destination {value} names {n} zones; give the id"),
    N_("unknown segment: {value}; use resident, domestic[:Province] or international[:ISO country code] "
       "(or map it with --category SRC=SEGMENT)"),
    N_("unknown visitor type: {value}; use resident, overnight or day_tripper"),
    N_("trips not a number: {value}"),
    N_("trips not a finite number"),
    N_("negative count: trips {value}"),
    N_("not a whole number: trips {value}"),
    N_("count too large: trips {value}"),
    N_("duplicate key: the same day, origin, destination, segment and visitor type as row {row} "
       "(only the first is kept)"),
    # presence (queries/ingest/visits_checked.sql)
    N_("missing cell"),
    N_("missing zone"),
    N_("not an H3 cell: {value} is neither an H3 index in hex (886482c68bfffff) nor as an integer"),
    N_("not an H3 cell: {value} is not a valid H3 cell index"),
    N_("wrong H3 resolution: {value} is resolution {found}; the atlas uses {resolution}"),
    N_("unknown cell: {value} is outside the province (not one of the atlas's H3 cells)"),
    N_("unknown zone: {value} is not the id or name of a zone of level {level}"),
    N_("ambiguous zone: {value} names {n} zones of level {level}; give the zone id"),
    N_("zone without cells: {zone} holds no H3 cell centre, so its presence cannot be placed on the map"),
    N_("visitors not a number: {value}"),
    N_("visitors not a finite number"),
    N_("negative count: visitors {value}"),
    N_("not a whole number: visitors {value} (unique devices are counted in whole devices)"),
    N_("count too large: visitors {value}"),
    N_("dwell_minutes not a number: {value}"),
    N_("negative count: dwell_minutes {value}"),
    N_("duplicate key: the same hour, cell, segment and visitor type as row {row} (only the first is kept)"),
    N_("duplicate key: the same hour, zone, segment and visitor type as row {row} (only the first is kept)"),
    N_("time inside the hour: {time} counted in the hour from {hour}"),
)
#: Values the SQL writes in place of a missing one, themselves words to translate.
SQL_VALUE_WORDS: tuple[str, ...] = (N_("(empty)"),)


@cache
def _reason_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each template of ``SQL_REASONS`` as an anchored pattern, the most specific (most fixed text) first."""
    patterns = []
    for template in SQL_REASONS:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)" for i, p in enumerate(parts))
        fixed = sum(len(p) for p in parts[::2])
        patterns.append((fixed, re.compile(regex, re.DOTALL), template))
    patterns.sort(key=lambda t: -t[0])
    return tuple((pattern, template) for _fixed, pattern, template in patterns)


def match_sql_reason(reason: str) -> tuple[str, dict[str, str]] | None:
    """The template of ``SQL_REASONS`` a reason written by SQL was made from, and its values; ``None`` if none."""
    for pattern, template in _reason_patterns():
        found = pattern.fullmatch(reason)
        if found:
            return template, found.groupdict()
    return None


def action_label(action: str) -> str:
    """An action (``rejected``, ...) in the current language."""
    label = ACTION_LABELS.get(action)
    return _(label) if label else action


def reason_text(reason: str) -> str:
    """A reason written by the SQL checks in the current language: worded again from its template in
    ``SQL_REASONS`` (values from the file as they are), else its kind (the part before ``:``) when it is one of
    ``SQL_REASON_KINDS``; any other text as it is. English is the reason unchanged."""
    matched = match_sql_reason(reason)
    if matched is not None:
        template, values = matched
        values = {k: _(v) if v in SQL_VALUE_WORDS else v for k, v in values.items()}
        return _(template).format(**values)
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
    files the feature's 1-based position. ``file`` names the file within a folder of files (a partitioned
    Parquet pings feed, counted per file); ``None`` for a single file.
    """

    row: int | None
    field: str | None
    reason: str
    action: Action
    file: str | None = None

    def __str__(self) -> str:
        where = _("file") if self.row is None else _("row {row}").format(row=self.row)
        if self.file:
            where = _("{file}, {where}").format(file=self.file, where=where)
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
