"""One import, start to end: read, map fields, check every row, then load into a staged copy and swap.

Used by ``python -m geo import`` and the Data page's upload form; both show :class:`ImportReport`.
"""

from __future__ import annotations

import csv
import io
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo import sql
from geo.errors import ImportRefusedError, SeedDataError
from geo.i18n import _
from geo.ingest import fields, load, validate
from geo.ingest.model import Problem, SourceTable, action_label, source_format_for
from geo.settings import Settings, get_settings
from geo.vocab import DEFAULT_ZONE_LEVEL

#: Layers this version imports: places, zone boundaries, the road network, and an operator's telecom data,
#: raw (pings, run through the pipeline) or aggregated (visits: hourly presence per H3 cell or zone; trips:
#: origin-destination matrices per day), see docs/import.md.
IMPORT_LAYERS: tuple[str, ...] = ("places", "zones", "visits", "trips", "pings", "roads")
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
_LEVEL = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class ImportOptions:
    """What to import and how (the CLI's flags and the upload form's fields)."""

    layer: str
    level: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    category: tuple[str, ...] = ()
    replace: bool | None = None          # None: zones replace their level, places append
    strict: bool = False
    dry_run: bool = False
    attribution: str | None = None
    max_bytes: int | None = None         # None: DEFAULT_MAX_BYTES for places/zones, no limit for pings
    name: str | None = None              # display name (an uploaded file's original name)
    source_layer: str | None = None      # the layer inside a multi-layer file (GeoPackage, KML folders)
    market_shares: Path | None = None    # pings: the operator's market shares (docs/estimates.md)


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do): counts, every problem, what followed."""

    name: str
    layer: str
    format: str
    level: str | None
    rows_read: int
    accepted: int
    repaired: int
    rejected: int
    warnings: int
    problems: list[Problem]
    field_notes: tuple[str, ...] = ()
    encoding: str | None = None
    crs: str | None = None
    dry_run: bool = False
    written: bool = False
    mode: str = "append"
    dataset: str | None = None
    after: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: counted in the database when ``problems`` holds only the first rows (pings)
    reason_counts: list[tuple[str, str, int]] | None = None

    def reasons(self) -> list[tuple[str, str, int]]:
        """(action, kind of problem, rows) sorted by count: the summary's "why"."""
        if self.reason_counts is not None:
            return self.reason_counts
        counts = Counter((p.action, p.reason.split(":", 1)[0]) for p in self.problems)
        return sorted(((a, k, n) for (a, k), n in counts.items()), key=lambda t: (-t[2], t[0], t[1]))

    def summary_lines(self) -> list[str]:
        """Plain-text summary, the same on the command line and the Data page."""
        verb = _("would import") if self.dry_run else (_("imported") if self.written else _("did not import"))
        head = f"{self.name} ({self.format}"
        head += f", {self.encoding}" if self.encoding else ""
        head += f", {self.crs}" if self.crs else ""
        head += f") -> {self.layer}" + (" " + _("level {level}").format(level=self.level) if self.level else "")
        head += f" [{self.mode}]"
        if self.layer == "roads":
            lines = [head, _("{verb}: {read} road ways as {edges} directed edges, {left_out} edges left out (not in "
                             "the largest connected part), {warnings} warnings").format(
                verb=verb, read=f"{self.rows_read:,}", edges=f"{self.accepted:,}", left_out=f"{self.rejected:,}",
                warnings=f"{self.warnings:,}")]
        else:
            lines = [head, _("{verb}: {accepted} of {read} rows accepted ({repaired} repaired), {rejected} rejected, "
                             "{warnings} warnings").format(
                verb=verb, accepted=f"{self.accepted:,}", read=f"{self.rows_read:,}", repaired=f"{self.repaired:,}",
                rejected=f"{self.rejected:,}", warnings=f"{self.warnings:,}")]
        label = _("roads") if self.layer == "roads" else _("fields")
        lines += [f"  {label}: {note}" for note in self.field_notes]
        for action, kind, n in self.reasons()[:12]:
            lines.append(f"  {n:>6,} {action_label(action):<8} {kind}")
        then = _("then")
        lines += [f"  {then}: {a}" for a in self.after]
        if self.dry_run:
            lines.append(_("dry run: the database was not changed"))
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (``--json``)."""
        return {
            "name": self.name, "layer": self.layer, "format": self.format, "level": self.level,
            "encoding": self.encoding, "crs": self.crs, "mode": self.mode, "dry_run": self.dry_run,
            "written": self.written, "rows_read": self.rows_read, "accepted": self.accepted,
            "repaired": self.repaired, "rejected": self.rejected, "warnings": self.warnings,
            "dataset": self.dataset, "after": self.after, "field_notes": list(self.field_notes),
            "reasons": [{"action": a, "kind": k, "rows": n} for a, k, n in self.reasons()],
            "seconds": round(self.seconds, 3),
        }


def problems_csv(problems: list[Problem]) -> str:
    """The per-row problems as CSV text (``--report FILE``, the page's download): row, field, action, reason,
    with a first column ``file`` when the source was a folder of files (rows are counted per file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    per_file = any(p.file for p in problems)
    writer.writerow((["file"] if per_file else []) + ["row", "field", "action", "reason"])
    for p in problems:
        writer.writerow(([p.file or ""] if per_file else [])
                        + ["" if p.row is None else p.row, p.field or "", p.action, p.reason])
    return out.getvalue()


def _refuse(message: str, problems: list[Problem] | None = None) -> ImportRefusedError:
    return ImportRefusedError(message, problems or [Problem(None, None, message, "refused")])


def read_source(path: Path, *, name: str, max_bytes: int, source_layer: str | None = None) -> SourceTable:
    """Read any supported file into a :class:`SourceTable` (OpenStreetMap through ``geo.ingest.osm``)."""
    if not path.is_file():
        raise _refuse(_("{name}: no such file").format(name=name))
    if source_format_for(Path(name)) == "osm":
        from geo.ingest import osm

        return osm.read_osm(path, name=name, max_bytes=max_bytes)
    from geo.ingest import read

    return read.read_table(path, name=name, max_bytes=max_bytes, layer=source_layer)


def check_options(options: ImportOptions) -> str | None:
    """Refuse option combinations that cannot work; returns the zone level (zones) or None."""
    if options.layer not in fields.LAYERS:
        raise _refuse(_("--layer must be one of {choices}, got {layer!r}").format(choices=", ".join(fields.LAYERS),
                                                                                    layer=options.layer))
    if options.market_shares is not None and options.layer != "pings":
        raise _refuse(_("--market-shares applies to --layer pings only"))
    if options.layer in ("visits", "trips"):
        level = (options.level or "").strip() or None
        if level is not None and level != "place" and not _LEVEL.match(level):
            raise _refuse((_("--level {level}: the name of a loaded zone level (e.g. district) or place")
                           if options.layer == "trips" else
                           _("--level {level}: the name of a loaded zone level (e.g. district)")).format(
                               level=repr(level[:40])))
        if level == "place" and options.layer == "visits":
            raise _refuse(_("--level place applies to --layer trips only; presence is per H3 cell or per zone"))
        return level
    if options.layer != "zones":
        if options.level:
            raise _refuse(_("--level applies to --layer zones, visits and trips only"))
        return None
    level = (options.level or "").strip()
    if not level:
        raise _refuse(_("--layer zones needs --level NAME (for example --level district or --level subdistrict)"))
    if not _LEVEL.match(level):
        raise _refuse(_("--level {level!r}: use lowercase letters, digits and underscores, starting with a letter "
                        "(at most 40), e.g. district").format(level=level[:40]))
    if level == DEFAULT_ZONE_LEVEL:
        raise _refuse(_("--level {level} is the project's own tourism zones, built from data/seed/zones.geojson; "
                        "import your boundaries under another level name (e.g. district)").format(
            level=DEFAULT_ZONE_LEVEL))
    return level


def import_file(path: Path, options: ImportOptions, db_path: Path | None = None,
                settings: Settings | None = None) -> ImportReport:
    """Import ``path`` as ``options.layer`` into ``db_path``; raise ``ImportRefusedError`` leaving it unchanged.

    Every problem is reported with its row, field and reason. Rows with problems marked "rejected" are left
    out; with ``strict`` any rejected row or warning refuses the whole file. A file with no acceptable row
    is refused. ``dry_run`` checks and reports without opening the database for writing.
    """
    started = time.perf_counter()
    settings = settings or get_settings()
    db_path = Path(db_path) if db_path is not None else settings.db_path
    path = Path(path)
    name = options.name or path.name
    if options.layer == "pipeline-output":
        return _import_pipeline_output(path, name, options, db_path, settings, started)
    level = check_options(options)
    if options.layer == "pings":
        return _import_pings(path, name, options, db_path, settings, started)
    if options.layer == "roads":
        return _import_roads(path, name, options, db_path, settings, started)
    if options.layer in ("visits", "trips"):
        return _import_aggregate(path, name, options, level, db_path, settings, started)
    default_category, category_map = validate.parse_category_options(list(options.category))
    table = read_source(path, name=name, max_bytes=options.max_bytes or DEFAULT_MAX_BYTES,
                        source_layer=options.source_layer)
    fm = fields.resolve(list(table.frame.columns), options.layer, options.mapping,
                        has_geometry=table.has_geometry, name=name)
    source_key = (options.attribution or f"import:{name}")[:200]
    opts = validate.Options(category=default_category, category_map=category_map, strict=options.strict,
                            source=source_key, level=level,
                            area=validate.destination_area(settings.seed_dir))
    checked = validate.CHECKS[options.layer](table, fm, opts)
    problems = table.problems + checked.problems
    replace = options.replace if options.replace is not None else options.layer == "zones"
    report = ImportReport(
        name=name, layer=options.layer, format=table.format, level=level, rows_read=table.rows,
        accepted=len(checked.frame), repaired=len(checked.repaired_rows - checked.rejected_rows),
        rejected=len(checked.rejected_rows), warnings=sum(p.action == "warning" for p in problems),
        problems=problems, field_notes=fm.notes, encoding=table.encoding, crs=table.crs,
        dry_run=options.dry_run, mode="replace" if replace else "append",
    )
    if options.strict and (checked.rejected_rows or report.warnings):
        first = next(p for p in problems if p.action in ("rejected", "warning"))
        raise _refuse(_("{name}: refused with --strict: {rejected} rejected row(s), {warnings} warning(s); first: "
                        "{first}").format(name=name, rejected=report.rejected, warnings=report.warnings, first=first),
                      problems)
    if checked.frame.empty:
        first = next((p for p in problems if p.action == "rejected"), None)
        message = _("{name}: no row could be imported ({rejected} rejected)").format(name=name,
                                                                                     rejected=report.rejected)
        if first:
            message += "; " + _("first: {problem}").format(problem=first)
        raise _refuse(message, problems)
    if options.dry_run:
        report.seconds = time.perf_counter() - started
        return report
    with load.staged(db_path, settings) as con:
        if options.layer == "places":
            counts = load.load_places(con, checked.frame, replace=replace, resolution=settings.h3_resolution)
            report.dataset = f"places: {name}"
            report.after += _after_places(con)
        else:
            assert level is not None
            counts = load.load_zones(con, checked.frame, level=level, replace=replace)
            report.dataset = f"zones: {level}"
            report.after += _after_zones(con, level)
        if counts["removed"]:
            report.after.insert(0, f"replaced {counts['removed']:,} previously loaded row(s)")
        load.record_meta(con, report.dataset, sources=options.attribution or f"{name} ({table.format})",
                         params={"file": name, "format": table.format, "layer": options.layer, "level": level,
                                 "encoding": table.encoding, "crs": table.crs, "mode": report.mode,
                                 "rows_read": report.rows_read, "accepted": report.accepted,
                                 "repaired": report.repaired, "rejected": report.rejected,
                                 "warnings": report.warnings, "attribution": options.attribution})
    report.written = True
    report.seconds = time.perf_counter() - started
    return report


def _import_pings(path: Path, name: str, options: ImportOptions, db_path: Path, settings: Settings,
                  started: float) -> ImportReport:
    from geo.ingest import telecom

    if options.category:
        raise _refuse(_("--category applies to places only"))
    if not path.exists():
        raise _refuse(_("{name}: no such file or folder").format(name=name))
    if options.max_bytes and path.is_file() and path.stat().st_size > options.max_bytes:
        raise _refuse(_("{name} is {size} MB, over the {limit} MB limit; raise it with --max-mb (pings are streamed, "
                        "never loaded whole into memory)").format(
            name=name, size=f"{path.stat().st_size / 1024 / 1024:,.0f}", limit=f"{options.max_bytes // 1024 // 1024:,}"))
    shares = None
    if options.market_shares is not None:
        from geo.build.estimates import read_market_shares

        try:
            shares = read_market_shares(options.market_shares)
        except SeedDataError as exc:
            raise _refuse(str(exc)) from None
    out = telecom.import_pings(path, name, db_path=db_path, settings=settings, mapping=options.mapping,
                               strict=options.strict, dry_run=options.dry_run, attribution=options.attribution,
                               market_shares=shares)
    c = out["counts"]
    return ImportReport(
        name=name, layer="pings", format=out["format"], level=None, rows_read=int(c["rows_read"]),
        accepted=int(c["accepted"]), repaired=int(c["repaired"]), rejected=int(c["rejected"]),
        warnings=int(c["warnings"]), problems=out["problems"], field_notes=tuple(out["notes"]),
        encoding=out["encoding"], dry_run=options.dry_run, written=not options.dry_run, mode="replace",
        dataset=out.get("dataset"), after=[f"{int(c['devices']):,} devices from {c['first_ts']} to {c['last_ts']}",
                                           *out["after"]],
        seconds=time.perf_counter() - started, reason_counts=out["reasons"],
    )


def _import_aggregate(path: Path, name: str, options: ImportOptions, level: str | None, db_path: Path,
                      settings: Settings, started: float) -> ImportReport:
    """An operator's aggregated presence (visits) or trips, checked in SQL and stored (``geo.ingest.aggregates``)."""
    from geo.ingest import aggregates

    if options.source_layer:
        raise _refuse(_("--source-layer does not apply to --layer {layer}").format(layer=options.layer))
    if options.replace is False:
        raise _refuse(_("--append does not apply to --layer visits: an import replaces the loaded presence")
                       if options.layer == "visits" else
                       _("--append does not apply to --layer trips: an import replaces the loaded trips"))
    if options.max_bytes and path.is_file() and path.stat().st_size > options.max_bytes:
        raise _refuse(_("{name} is {size} MB, over the {limit} MB limit; raise it with --max-mb (aggregated tables "
                        "are streamed, never loaded whole into memory)").format(
                            name=name, size=f"{path.stat().st_size / 1024 / 1024:,.1f}",
                            limit=f"{options.max_bytes / 1024 / 1024:,.0f}"))
    out = aggregates.import_aggregate(path, name, layer=options.layer, level=level, db_path=db_path,
                                      settings=settings, mapping=options.mapping, category=list(options.category),
                                      strict=options.strict, dry_run=options.dry_run,
                                      attribution=options.attribution)
    c = out["counts"]
    return ImportReport(
        name=name, layer=options.layer, format=out["format"], level=out["level"], rows_read=c["rows_read"],
        accepted=c["accepted"], repaired=c["repaired"], rejected=c["rejected"], warnings=c["warnings"],
        problems=out["problems"], field_notes=tuple(out["notes"]), encoding=out["encoding"],
        dry_run=options.dry_run, written=not options.dry_run, mode="replace", dataset=out.get("dataset"),
        after=out["after"], seconds=time.perf_counter() - started, reason_counts=out["reasons"],
    )


def _import_pipeline_output(path: Path, name: str, options: ImportOptions, db_path: Path, settings: Settings,
                            started: float) -> ImportReport:
    """A folder of the pipeline's four tables (``geo aggregate``, DuckDB or Spark) replaces the flows
    (``geo.ingest.outputs``)."""
    from geo.ingest import outputs

    for flag, given in (("--category", options.category), ("--map", options.mapping), ("--level", options.level),
                        ("--source-layer", options.source_layer)):
        if given:
            raise _refuse(_("{flag} does not apply to --layer pipeline-output (the tables carry the views' "
                            "columns)").format(flag=flag))
    if options.replace is False:
        raise _refuse(_("--append does not apply to --layer pipeline-output: the four tables are replaced"))
    out = outputs.import_pipeline_output(path, name, db_path=db_path, settings=settings, dry_run=options.dry_run,
                                         attribution=options.attribution)
    rows = sum(out["counts"].values())
    return ImportReport(
        name=name, layer=outputs.LAYER, format="parquet", level=None, rows_read=rows, accepted=rows, repaired=0,
        rejected=0, warnings=0, problems=[], dry_run=options.dry_run, written=not options.dry_run, mode="replace",
        dataset=out.get("dataset"), after=[", ".join(f"{n:,} {t}" for t, n in out["counts"].items()), *out["after"]],
        seconds=time.perf_counter() - started,
    )


def _import_roads(path: Path, name: str, options: ImportOptions, db_path: Path, settings: Settings,
                  started: float) -> ImportReport:
    """An OpenStreetMap extract's roads become the routable network (``geo.ingest.roads``), replacing any
    loaded one; the road loads are then routed (``geo.build.roads``)."""
    from geo.build import roads as stored
    from geo.ingest import roads

    for flag, given in (("--category", options.category), ("--map", options.mapping),
                        ("--source-layer", options.source_layer)):
        if given:
            raise _refuse(_("{flag} does not apply to --layer roads (the roads are read from highway=* ways)").format(
                flag=flag))
    if options.replace is False:
        raise _refuse(_("--append does not apply to --layer roads: an import replaces the loaded road network"))
    if not path.is_file():
        raise _refuse(_("{name}: no such file").format(name=name))
    if source_format_for(Path(name)) != "osm":
        raise _refuse(_("{name}: --layer roads reads OpenStreetMap extracts (.osm.pbf or .osm)").format(name=name))
    network = roads.read_roads(path, name=name, max_bytes=options.max_bytes or roads.osm.MAX_OSM_BYTES)
    st = network.stats
    warnings = sum(p.action == "warning" for p in network.problems)
    report = ImportReport(
        name=name, layer="roads", format="osm", level=None, rows_read=int(st["road_ways"]),
        accepted=int(st["edges"]), repaired=0, rejected=int(st["dropped_edges"]), warnings=warnings,
        problems=network.problems, field_notes=tuple(network.notes), crs="EPSG:4326", dry_run=options.dry_run,
        mode="replace",
    )
    if options.strict and warnings:
        raise _refuse(_("{name}: refused with --strict: {warnings} warning(s); first: {first}").format(
            name=name, warnings=warnings, first=network.problems[0]),
                      network.problems)
    if options.dry_run:
        report.seconds = time.perf_counter() - started
        return report
    with load.staged(db_path, settings) as con:
        had = stored.has_network(con)
        stored.write_network(con, network.nodes, network.edges)
        report.dataset = "roads"
        elsewhere = _network_elsewhere(con, network)
        if elsewhere is not None:
            report.problems = [*report.problems, Problem(None, "network", elsewhere, "warning")]
            report.warnings += 1
        if had:
            report.after.append("replaced the previously loaded road network")
        load.record_meta(con, "roads", sources=options.attribution or f"{name} (OpenStreetMap extract)",
                         params={"file": name, "format": "osm", "layer": "roads", "network_id": uuid.uuid4().hex,
                                 "attribution": options.attribution, **{k: v for k, v in st.items()}})
        line = stored.loads_line(stored.refresh_road_loads(con))
        if line:
            report.after.append(line)
    report.written = True
    report.seconds = time.perf_counter() - started
    return report


def _network_elsewhere(con: Any, network: Any) -> str | None:
    """A warning when none of the atlas's places lies within the snapping distance of the network's bounding box
    (an extract of another city, or of the wrong part of the province); ``None`` when some do or there are none."""
    from geo.i18n import _
    from geo.roadgraph import haversine_m
    from geo.vocab import ROAD_SNAP_MAX_M

    places = sql.fetch_df(con, "build/road_place_points")
    if places.empty or network.nodes.empty:
        return None
    lon, lat = network.nodes["lon"], network.nodes["lat"]
    west, east, south, north = float(lon.min()), float(lon.max()), float(lat.min()), float(lat.max())
    near_lon = places["lon"].clip(west, east).to_numpy()
    near_lat = places["lat"].clip(south, north).to_numpy()
    gap = haversine_m(places["lon"].to_numpy(), places["lat"].to_numpy(), near_lon, near_lat)
    if (gap <= ROAD_SNAP_MAX_M).any():
        return None
    return _("none of the atlas's {n} places lies on or near the network (it covers {south:.3f} to {north:.3f} N, "
             "{west:.3f} to {east:.3f} E; the nearest place is {km:,.0f} km away): nothing will be routed on it. Is "
             "this an extract of the atlas's city?").format(n=len(places), south=south, north=north, west=west,
                                                              east=east, km=float(gap.min()) / 1000)


def _after_places(con: Any) -> list[str]:
    """Places changed: re-run the pipeline from the stored pings so visits match the new places."""
    if not load.table_exists(con, "pings") or not int(sql.fetch_one(con, "ingest/ping_count")["n"]):
        from geo.build import roads

        if "presence" in set(sql.fetch_df(con, "ingest/meta_datasets")["dataset"]):
            from geo.build import rollups  # an aggregated feed: place figures come from the places' cells

            t0 = time.perf_counter()
            rollups.run_rollups(con)
            return [_("rollups refreshed in {seconds} s: place visits are estimated from the imported presence "
                      "in each place's cell").format(seconds=f"{time.perf_counter() - t0:.1f}")]

        line = roads.loads_line(roads.refresh_road_loads(con))  # places moved: their corridors' paths too
        return ["no pings are stored, so place visits were not recomputed", *([line] if line else [])]
    from geo.build import pipeline, rollups

    t0 = time.perf_counter()
    counts = pipeline.run_pipeline(con)
    rollups.run_rollups(con)
    return [f"pipeline re-run on the stored pings and rollups refreshed in {time.perf_counter() - t0:.1f} s "
            f"({counts.get('place_visits', 0):,} place visits)"]


def _after_zones(con: Any, level: str) -> list[str]:
    """A level changed: recompute its cell lookup and report overlaps and gaps within the level."""
    from geo.build import zonelevels

    cells = zonelevels.refresh_cell_zones(con, level)
    lines = [f"{cells:,} H3 cells assigned to the {level} zones (summaries by this level need no pipeline re-run)"]
    report = zonelevels.level_report(con, level)
    first, *rest = report.lines()
    return [*lines, first, *(f"warning: {line}" for line in rest)]


__all__ = ["DEFAULT_MAX_BYTES", "IMPORT_LAYERS", "ImportOptions", "ImportReport", "check_options",
           "import_file", "problems_csv", "read_source"]
