"""Import an operator's aggregated tables: hourly presence per H3 cell or zone (visits) and daily
origin-destination matrices (trips).

Like raw pings (``geo.ingest.telecom``), an aggregated table is never loaded into Python: DuckDB streams the
CSV/TSV (converted from cp874 first when needed) or Parquet (a file, a folder or a glob of partitioned
files), one SQL pass (``queries/ingest/visits_checked.sql`` or ``trips_checked.sql``) gives every row its
verdict, and only the first ``PROBLEM_LIMIT`` problem rows are fetched (all are counted).

What an aggregated feed replaces (docs/import.md, "The operator's aggregated tables"):

* **visits** replace the presence cube and every device-level table (pings, stays, place visits): an
  aggregated feed has no devices, and a simulated or ping-derived sample must not be mixed with it. Trips
  are kept only when they were imported as trips too; the ``flows`` provenance row goes, a ``presence`` row
  (real, with its source and the approximations it brings) takes its place.
* **trips** replace the trips. If the visitor flows were simulated, the simulated sample goes with them
  (nothing simulated is left beside real trips); flows from imported pings are kept.

A per-zone presence feed reaches the cell maps by spreading each zone-hour's unique devices over the zone's
H3 cells (``cell_zones`` of the level), in whole devices, the remainder to cells chosen by a hash of cell and
hour so it does not always fall on the same cells: every zone total and the file's total are kept exactly,
the pattern inside a zone is uniform and labelled approximate. The rollups that count people-days or place
visits from stays use their approximations from the presence cube when no stays exist
(``queries/rollups/12_presence_day_bands.sql``, ``15_cell_arrivals.sql``).
"""

from __future__ import annotations

import glob
import re
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from geo import sql
from geo.db import connect
from geo.errors import ImportRefusedError
from geo.i18n import N_, _
from geo.ingest import fields, load, telecom
from geo.ingest.model import Problem, kind_text, reason_text
from geo.settings import Settings
from geo.vocab import DEFAULT_ZONE_LEVEL

#: Problem rows fetched for the report (every problem is still counted in the summary).
PROBLEM_LIMIT = 10_000
#: Minutes counted per visitor-hour when a presence table has no dwell column (each unique device counted
#: present in an hour is counted for the whole hour: the people-hours the atlas sums).
DEFAULT_DWELL_PER_VISITOR = 60.0
_SEGMENT = re.compile(r"^(resident|domestic(:.+)?|international(:[A-Za-z]{2})?)$")
_FIELDS = {
    "visits": ("ts_hour", "date", "hour", "cell", "zone", "segment", "visitor_type", "visitors", "dwell_minutes"),
    "trips": ("day", "level", "origin", "destination", "segment", "visitor_type", "trips"),
}

#: What the rollups and pages show when presence comes from an aggregated feed (stored in ``meta``).
APPROXIMATIONS: dict[str, str] = {
    "people_days": N_("people per day (people-days) are estimated as the busiest hour's unique devices of that "
                      "day (visitors who left before the peak hour are missed; a person in two cells within an "
                      "hour counts in both)"),
    "place_visits": N_("place visits are estimated as arrivals in the place's H3 cell (the hourly rise in unique "
                       "devices), shared in whole visits by the places in the cell"),
    "visitor_type": N_("rows without a visitor type count non-residents as overnight visitors"),
}
ZONE_SPREAD_NOTE = N_("presence delivered per zone is spread evenly over the zone's H3 cells (approximate "
                      "pattern inside each zone; zone totals exact)")


def _refuse(message: str, problems: list[Problem] | None = None) -> ImportRefusedError:
    return ImportRefusedError(message, problems or [Problem(None, None, message, "refused")])


def source_format(path: Path, name: str) -> tuple[str, str]:
    """(``csv`` or ``parquet``, the path or glob DuckDB reads); a folder or glob means partitioned Parquet."""
    text = str(path)
    if any(ch in text for ch in "*?["):
        matches = sorted(glob.glob(text, recursive=True))
        if not matches:
            raise _refuse(_("{name}: no file matches this pattern").format(name=name))
        if not all(m.lower().endswith(".parquet") for m in matches):
            raise _refuse(_("{name}: a pattern must match Parquet files only (CSV files are imported one at a time)").format(
                name=name))
        return "parquet", text
    if not path.exists():
        raise _refuse(_("{name}: no such file or folder").format(name=name))
    if path.is_dir():
        return telecom.pings_format(path, name), str(path / "**" / "*.parquet")
    if not path.stat().st_size:
        raise _refuse(_("{name} is empty").format(name=name))
    return telecom.pings_format(path, name), str(path)


def _relation(con: duckdb.DuckDBPyConnection, source: str, fmt: str, name: str, layer: str,
              mapping: dict[str, str]) -> tuple[duckdb.DuckDBPyRelation, fields.FieldMap]:
    """The file as a relation with the atlas's field names (absent fields as nulls)."""
    try:
        if fmt == "parquet":
            rel = con.read_parquet(source, hive_partitioning="**" in source or "*" in source)
        else:
            rel = con.read_csv(source, all_varchar=True, header=True)
    except duckdb.Error as exc:
        raise _refuse(_("{name}: could not be read as {format}: {error}").format(
            name=name, format=fmt.upper(), error=str(exc).splitlines()[0][:200])) from None
    columns = list(rel.columns)
    given, mapping = mapping, dict(mapping)
    if layer == "visits" and not mapping.keys() & {"ts_hour", "date"}:
        # a lone "hour" column holding date-times is the hour's start
        norm = {fields.normalise(c) for c in columns}
        if not norm & {fields.normalise(s) for s in (*fields.SYNONYMS["ts_hour"], *fields.SYNONYMS["date"])}:
            hour = next((c for c in columns if fields.normalise(c) in fields.SYNONYMS["hour"]), None)
            if hour is not None:
                mapping["ts_hour"] = hour
    fm = fields.resolve(columns, layer, mapping, name=name)
    if mapping.keys() - given.keys():  # the lone hour column: not the user's --map
        fm = fields.FieldMap(fm.columns, tuple(n.replace(" (--map)", " (date-times: each hour's start)")
                                               if n.startswith("ts_hour") else n for n in fm.notes))
    exprs = [duckdb.ColumnExpression(_quoted(fm.columns[f])).alias(f) if f in fm.columns
             else duckdb.ConstantExpression(None).alias(f) for f in _FIELDS[layer]]
    return rel.select(*exprs), fm


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def parse_segment_options(values: list[str]) -> tuple[str, list[str], list[str]]:
    """``--category SEGMENT`` (the segment of rows with none) and ``--category "SRC=SEGMENT"`` (an operator's
    spelling): the default segment and the lower-cased source and target lists."""
    default = "domestic"
    src: list[str] = []
    dest: list[str] = []
    for value in values:
        left, sep, right = value.rpartition("=")
        right = right.strip()
        group, colon, origin = right.partition(":")
        right = group.lower() + (colon + (origin.upper() if group.lower() == "international" else origin))
        if not _SEGMENT.match(right):
            msg = _("--category {value}: {segment} is not a segment; use resident, domestic[:Province] or "
                    "international[:ISO country code]").format(value=repr(value), segment=repr(right))
            raise _refuse(msg)
        if sep:
            src.append(left.strip().lower())
            dest.append(right)
        else:
            default = right
    return default, src or ["\x00"], dest or ["resident"]  # never an empty list: DuckDB cannot type it


def define_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The time, segment, visitor-type and count macros the checks use (temp macros on ``con``)."""
    telecom.define_time_macros(con)
    for name in ("ingest/macro_segment_group", "ingest/macro_segment", "ingest/macro_segment_map",
                 "ingest/macro_segment_word", "ingest/macro_segment_origin", "ingest/macro_visitor_type",
                 "ingest/macro_count"):
        sql.execute(con, name)


def check_aggregate(con: duckdb.DuckDBPyConnection, path: Path, name: str, *, layer: str, level: str | None,
                    mapping: dict[str, str], category: list[str], resolution: int) -> dict[str, Any]:
    """Check every row into the temp table ``aggregate_checked`` on ``con`` (which holds the atlas's cells,
    zones and places). Returns counts, problems (first ``PROBLEM_LIMIT``), reasons, notes, format, encoding,
    ``by`` (cell | zone for visits, zone | place for trips) and the zone level used."""
    fmt, source = source_format(path, name)
    default_segment, seg_src, seg_dest = parse_segment_options(category)
    encoding = None
    with tempfile.TemporaryDirectory(prefix="atlas-aggregate-") as tmp:
        if fmt == "csv":
            utf8, encoding = telecom._utf8_copy(path, name, Path(tmp))
            source = str(utf8)
        rel, fm = _relation(con, source, fmt, name, layer, mapping)
        notes = list(fm.notes)
        if "segment" not in fm.columns:
            notes.append(_("no segment column: every row is counted as {segment}; origin breakdowns are not "
                           "available").format(segment=repr(default_segment)))
        if "visitor_type" not in fm.columns:
            notes.append(_("no visitor_type column: {note}").format(note=_(APPROXIMATIONS["visitor_type"])))
        if layer == "visits":
            by = "cell" if "cell" in fm.columns else "zone"
            if by == "cell" and "zone" in fm.columns:
                notes.append(_("cells given: the zone column {column} is not used (each cell's zone is the "
                               "atlas's own)").format(column=repr(fm.columns["zone"])))
            zone_level = (level or DEFAULT_ZONE_LEVEL) if by == "zone" else None
            if by == "cell" and level:
                notes.append(_("cells given: --level {level} is not used").format(level=level))
            if by == "zone":
                notes.append(_("zones of level {level}: {note}").format(level=repr(zone_level), note=_(ZONE_SPREAD_NOTE)))
            if "dwell_minutes" not in fm.columns:
                notes.append(_("no dwell_minutes column: {minutes} minutes per visitor-hour").format(
                    minutes=f"{DEFAULT_DWELL_PER_VISITOR:.0f}"))
        else:
            by = "place" if level == "place" else "zone"
            zone_level = None if level in (None, "place") else level
            if "level" in fm.columns:
                notes.append(_("each row's level from column {column} ('place' or a zone)").format(
                    column=repr(fm.columns["level"])))
        if by != "cell" and by != "place" and zone_level is not None:
            levels = sql.fetch_df(con, "ingest/zone_levels")
            if zone_level not in set(levels["level"]):
                raise _refuse(_("--level {level}: no zones of that level are loaded; loaded levels: {levels} "
                                "(import boundaries with --layer zones first)").format(
                                    level=zone_level, levels=", ".join(levels["level"]) or "(none)"))
        define_macros(con)
        sql.execute(con, "ingest/create_area_keys", {"zone_level": zone_level if by != "cell" else None})
        con.register(f"{layer}_source", rel)
        params: dict[str, Any] = {
            "first_row": 2 if fmt == "csv" else 1, "default_segment": default_segment, "seg_src": seg_src,
            "seg_dest": seg_dest, "has_seg_map": seg_src != ["\x00"], "latest": datetime.now() + timedelta(days=1),
        }
        try:
            if layer == "visits":
                sql.execute(con, "ingest/visits_checked", {**params, "by": by, "resolution": resolution,
                                                           "level": zone_level})
            else:
                sql.execute(con, "ingest/trips_checked", {**params, "default_kind": by,
                                                          "zone_level_name": zone_level})
        except duckdb.Error as exc:
            raise _refuse(_("{name}: could not be read: {error}").format(
                name=name, error=str(exc).splitlines()[0][:200])) from None
        finally:
            con.unregister(f"{layer}_source")
    counts = sql.fetch_one(con, "ingest/aggregate_counts") or {}
    if not counts.get("rows_read"):
        raise _refuse(_("{name} is empty: no data rows").format(name=name))
    problems = [Problem(int(r.row), r.field, reason_text(r.reason), r.action) for r in
                sql.fetch_df(con, "ingest/aggregate_problems", {"limit": PROBLEM_LIMIT}).itertuples()]
    reasons = [(r.action, kind_text(r.kind), int(r.rows)) for r in sql.fetch_df(con, "ingest/aggregate_reasons").itertuples()]
    span = sql.fetch_one(con, "ingest/visits_span" if layer == "visits" else "ingest/trips_span")
    return {"counts": {k: int(v) for k, v in counts.items()}, "problems": problems, "reasons": reasons,
            "notes": notes, "format": fmt, "encoding": encoding, "by": by, "level": zone_level, "span": span}


def import_aggregate(path: Path, name: str, *, layer: str, level: str | None, db_path: Path, settings: Settings,
                     mapping: dict[str, str], category: list[str], strict: bool, dry_run: bool,
                     attribution: str | None) -> dict[str, Any]:
    """Check, then (unless ``dry_run``) load into a staged copy, refresh the rollups, swap (``load.staged``)."""
    started = time.perf_counter()
    out: dict[str, Any] = {"after": []}

    def check(con: duckdb.DuckDBPyConnection) -> None:
        out.update(check_aggregate(con, path, name, layer=layer, level=level, mapping=mapping, category=category,
                                   resolution=settings.h3_resolution))
        c, problems = out["counts"], out["problems"]
        if strict and (c["rejected"] or c["warnings"]):
            first = next((p for p in problems if p.action in ("rejected", "warning")), None)
            raise ImportRefusedError(_("{name}: refused with --strict: {rejected} rejected row(s); first: {first}")
                                     .format(name=name, rejected=f"{c['rejected']:,}", first=first), problems)
        if not c["accepted"]:
            raise ImportRefusedError(_("{name}: no row could be imported ({rejected} rejected); first: {first}")
                                     .format(name=name, rejected=f"{c['rows_read']:,}",
                                             first=problems[0] if problems else "?"), problems)

    if dry_run:
        if not Path(db_path).is_file():
            raise _refuse(_("No atlas database at {path}: build one first (`python -m geo build`)").format(
                path=db_path))
        con = connect(db_path, "officials", read_only=True, settings=settings)
        try:
            check(con)
        finally:
            con.close()
        out["seconds"] = time.perf_counter() - started
        return out
    with load.staged(db_path, settings) as con:
        check(con)
        out["after"] += _load(con, layer, out, name=name, attribution=attribution)
        from geo.build import rollups

        t0 = time.perf_counter()
        rollups.run_rollups(con)
        out["after"].append(_("rollups refreshed in {seconds} s").format(seconds=f"{time.perf_counter() - t0:.1f}"))
    out["seconds"] = time.perf_counter() - started
    return out


def _meta(con: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """Dataset -> simulated, for the datasets in ``meta``."""
    frame = sql.fetch_df(con, "ingest/meta_datasets")
    return dict(zip(frame["dataset"], frame["simulated"].astype(bool), strict=True))


def _clear(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    for table in tables:
        sql.execute(con, "ingest/delete_data_rows", idents={"data_table": table})


def _load(con: duckdb.DuckDBPyConnection, layer: str, out: dict[str, Any], *, name: str,
          attribution: str | None) -> list[str]:
    """Replace what the feed replaces in the staged copy, store its rows, record provenance; returns notes."""
    from geo.build import pipeline

    after: list[str] = []
    meta = _meta(con)
    if not load.table_exists(con, "labels"):
        pipeline.load_outputs(con, {})  # a database built without flows: the empty coded tables and labels
    sql.execute(con, "ingest/append_labels")
    has_pings = load.table_exists(con, "pings")
    c = out["counts"]
    if layer == "visits":
        _clear(con, "stays_data", "place_visits_data", "visits_hourly_data")
        if has_pings:
            sql.execute(con, "ingest/delete_pings")
        if "flows" in meta:
            after.append(_("the simulated visitor flows were replaced: pings, stays, place visits and presence now "
                           "come from this feed only") if meta["flows"] else
                         _("the visitor flows from imported pings were replaced: pings, stays, place visits and "
                           "presence now come from this feed only"))
            if "trips" not in meta:
                _clear(con, "trips_data")
                after.append(_("their trips were removed too: import the operator's trips with --layer trips"))
            sql.execute(con, "ingest/delete_meta", {"dataset": "flows"})
        sql.execute(con, "ingest/insert_checked_visits", {"level": out["level"],
                                                          "default_dwell": DEFAULT_DWELL_PER_VISITOR})
        stored = sql.fetch_one(con, "ingest/stored_visits")
        span = out["span"]
        if int(stored["visitors"]) != int(span["visitor_hours"]):
            msg = _("{name}: {stored} visitor-hours stored for {accepted} accepted; nothing was imported (please "
                    "report this)").format(name=name, stored=f"{int(stored['visitors']):,}",
                                           accepted=f"{int(span['visitor_hours']):,}")
            raise _refuse(msg)
        after.append(_("{rows} presence rows stored ({visitors} visitor-hours) from {first} to {last}").format(
            rows=f"{int(stored['rows']):,}", visitors=f"{int(stored['visitors']):,}", first=span["first_hour"],
            last=span["last_hour"]))
        approximations = dict(APPROXIMATIONS)
        if out["by"] == "zone":
            approximations["zone_spread"] = ZONE_SPREAD_NOTE
        dataset, params = "presence", {"by": out["by"], "level": out["level"], "approximations": approximations,
                                       "first_hour": span["first_hour"], "last_hour": span["last_hour"],
                                       "visitor_hours": int(span["visitor_hours"])}
        sources = attribution or f"{name} ({out['format']}), the operator's hourly presence per {out['by']}"
    else:
        _clear(con, "trips_data")
        if meta.get("flows"):
            _clear(con, "stays_data", "place_visits_data", "visits_hourly_data")
            if has_pings:
                sql.execute(con, "ingest/delete_pings")
            sql.execute(con, "ingest/delete_meta", {"dataset": "flows"})
            after.append(_("the simulated visitor flows were removed so that nothing simulated sits beside the "
                           "imported trips: import the operator's presence with --layer visits"))
        elif "flows" in meta:
            after.append(_("the trips computed from the imported pings were replaced by this origin-destination "
                           "table"))
        sql.execute(con, "ingest/insert_checked_trips")
        stored = sql.fetch_one(con, "ingest/stored_trips")
        span = out["span"]
        if int(stored["trips"]) != int(span["trips"]):
            msg = _("{name}: {stored} trips stored for {accepted} accepted; nothing was imported (please report "
                    "this)").format(name=name, stored=f"{int(stored['trips']):,}", accepted=f"{int(span['trips']):,}")
            raise _refuse(msg)
        after.append(_("{rows} trip rows stored ({trips} trips) from {first} to {last}").format(
            rows=f"{int(stored['rows']):,}", trips=f"{int(stored['trips']):,}", first=span["first_day"],
            last=span["last_day"]))
        dataset, params = "trips", {"by": out["by"], "level": out["level"], "first_day": span["first_day"],
                                    "last_day": span["last_day"], "trips": int(span["trips"])}
        sources = attribution or f"{name} ({out['format']}), the operator's origin-destination trips per day"
    load.record_meta(con, dataset, sources=sources, params={
        "file": name, "format": out["format"], "encoding": out["encoding"], "layer": layer,
        **{k: c[k] for k in ("rows_read", "accepted", "repaired", "rejected", "warnings")},
        **params, "attribution": attribution})
    out["dataset"] = dataset
    return after


__all__ = ["APPROXIMATIONS", "DEFAULT_DWELL_PER_VISITOR", "PROBLEM_LIMIT", "ZONE_SPREAD_NOTE", "check_aggregate",
           "define_macros", "import_aggregate", "parse_segment_options", "source_format"]
