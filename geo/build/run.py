"""Build the atlas database atomically: seed places, zones, H3 cells and their zones, simulated flows, rollups.

The build writes to a temporary file beside the target and renames it into place only when every step
succeeded, so a failed build leaves the previous database byte-identical.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from geo import __version__, published, sql
from geo.build import seed, zonelevels
from geo.db import connect
from geo.errors import AtlasError, BuildError
from geo.i18n import N_
from geo.settings import H3_RESOLUTION, Settings, get_settings
from geo.vocab import DEFAULT_ZONE_LEVEL

DEFAULT_SEED = 20251101
DEFAULT_START = date(2025, 11, 1)
DEFAULT_DAYS = 365

SCHEMA = (
    "schema/create_meta",
    "schema/create_zones",
    "schema/create_places",
    "schema/create_cells",
    "schema/create_cell_zones",
)


@dataclass(frozen=True)
class BuildOptions:
    """What to build. ``visitors`` and ``pings`` are mutually exclusive simulator sizes."""

    seed: int = DEFAULT_SEED
    visitors: int | None = None
    pings: int | None = None
    days: int = DEFAULT_DAYS
    start: date = DEFAULT_START
    flows: bool = True
    seed_dir: Path | None = None
    #: carry the road network of the database being replaced into the new one (``--no-roads``: drop it)
    keep_roads: bool = True
    #: device partitions of the pipeline (a power of two); ``None``: sized by ``pings``
    #: (``geo.build.pipeline.partition_count``)
    partitions: int | None = None


@dataclass
class BuildReport:
    """Row counts per table and seconds per step of a finished build."""

    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: the pipeline's seconds per stage (``geo.build.pipeline.run_pipeline``)
    pipeline_stages: dict[str, float] = field(default_factory=dict)


Progress = Callable[[str], None]


def _record_meta(con, dataset: str, *, simulated: bool, seed_value: int | None, sources: str, params: dict) -> None:
    sql.execute(
        con,
        "build/insert_meta",
        {
            "dataset": dataset,
            "simulated": simulated,
            "seed": seed_value,
            "sources": sources,
            "params": json.dumps(params, sort_keys=True, default=str),
            "built_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
            "version": __version__,
        },
    )


def load_seed(con, seed_dir: Path, *, resolution: int = H3_RESOLUTION) -> dict[str, int]:
    """Create the base schema, load zones, places and cells from ``seed_dir`` and fill the tourism zones'
    cell lookup (``cell_zones``); returns row counts."""
    zones = seed.read_zones_geojson(seed_dir / "zones.geojson")
    places = seed.read_places(sorted((seed_dir / "places").glob("*.csv")))
    names_zh = seed.read_names_zh(seed_dir / "names_zh.csv")
    zones = seed.with_names_zh(zones, "zone_id", names_zh["zone"], seed_dir / "names_zh.csv")
    places = seed.with_names_zh(places, "place_id", names_zh["place"], seed_dir / "names_zh.csv")
    for name in SCHEMA:
        sql.execute(con, name)
    counts = {"zones": seed.load_zones(con, zones)}
    counts["places"] = seed.load_places(con, places, resolution=resolution)
    counts["cells"] = seed.load_cells(con, zones, resolution=resolution)
    counts["cell_zones"] = zonelevels.refresh_cell_zones(con, DEFAULT_ZONE_LEVEL)
    counts["published_stats"] = published.load_published(con, seed_dir)
    sql.execute(con, "schema/create_market_shares")
    for name in ("schema/create_indexes", "schema/create_places_index", "schema/create_cells_index"):
        sql.execute(con, name)
    _record_meta(con, "places", simulated=False, seed_value=None,
                 sources=N_("Real places; coordinates and names from public sources (data/README.md)"),
                 params={"files": sorted(p.name for p in (seed_dir / "places").glob("*.csv"))})
    outline = seed.outline_area(seed_dir / "province.geojson")
    stated = (f" (province outline {outline['province_outline_km2']:,} km² against the official "
              f"{outline['official_province_km2']:,} km²)" if outline else "")
    _record_meta(con, "zones", simulated=False, seed_value=None,
                 sources="APPROXIMATE: tourism zones and province outline drawn by the project" + stated
                         + ", data/seed/zones.geojson and province.geojson",
                 params={"level": "tourism_zone", **outline})
    _record_meta(con, "cells", simulated=False, seed_value=None,
                 sources=N_("H3 cells computed with the h3 package"), params={"resolution": resolution})
    return counts


def build_flows(con, options: BuildOptions, progress: Progress | None = None,
                timings: dict[str, float] | None = None, *, settings: Settings | None = None) -> dict[str, int]:
    """Simulate pings and run the pipeline and rollups; returns row counts of the flow tables.

    ``timings``, when given, receives the pipeline's seconds per stage (``run_pipeline``); ``settings``
    are the ones ``con`` was opened with (its configured DuckDB memory limit)."""
    from geo.build import pipeline, rollups, simulate

    # device partitions sized by the pings asked for: the simulator stores the pings clustered by them and
    # the pipeline works through them one after another (out of core)
    partitions = options.partitions or (pipeline.partition_count(options.pings) if options.pings else None)
    # out of core, DuckDB is held to what each step needs (geo.db.held_memory_limit): little while the
    # pings are stored, the partitions in flight during the pipeline; the rollups, whose group-bys span
    # every stay, run with the configured limit (held to 2.5 GB, they ran out of memory at 1B pings)
    with pipeline.storing_pings(con, partitions or 1, settings=settings):
        summary = simulate.simulate_pings(
            con,
            seed=options.seed,
            days=options.days,
            start=options.start,
            visitors=options.visitors,
            pings=options.pings,
            partitions=partitions or 1,
            seed_dir=options.seed_dir,  # None: the simulator's own data/seed
        )
    # recorded before the rollups: the expansion weights (run first by the rollups) label themselves from it
    _record_meta(con, "flows", simulated=True, seed_value=options.seed,
                 sources=N_("SIMULATED by geo/simulate.py from published arrival, origin and seasonality "
                            "figures (data/README.md)"),
                 params=summary)
    if progress:
        progress("pipeline")
    with pipeline.out_of_core(con, options.pings or 0, partitions or 1, settings=settings):
        counts = pipeline.run_pipeline(con, partitions=partitions, timings=timings)
    if progress:
        progress("rollups")
    rollups.run_rollups(con)
    return counts


def build_database(
    db_path: Path | str | None = None,
    options: BuildOptions | None = None,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> BuildReport:
    """Build a fresh database at ``db_path`` atomically; raise ``BuildError`` and keep the old file on failure."""
    settings = settings or get_settings()
    options = options or BuildOptions()
    if options.visitors is not None and options.pings is not None:
        msg = "Give either --visitors or --pings, not both"
        raise BuildError(msg)
    target = Path(db_path) if db_path is not None else settings.db_path
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
    report = BuildReport(path=target)
    started = datetime.now()
    try:
        con = connect(tmp, "officials", settings=settings)
        try:
            if progress:
                progress("seed")
            report.counts.update(load_seed(con, options.seed_dir or settings.seed_dir,
                                           resolution=settings.h3_resolution))
            report.seconds["seed"] = (datetime.now() - started).total_seconds()
            from geo.build import events

            report.counts["events"] = events.seed_events(con, options.seed_dir or settings.seed_dir)
            kept_events = events.carry_events(con, target)
            if kept_events:
                report.notes.append(kept_events)
            if options.keep_roads:
                from geo.build import roads

                kept = roads.carry_network(con, target)
                if kept:
                    report.notes.append(kept)
                    if not options.flows:
                        report.notes.append(roads.loads_line(roads.refresh_road_loads(con)) or "")
            if options.flows:
                if progress:
                    progress("simulate")
                t0 = datetime.now()
                report.counts.update(build_flows(con, options, progress, report.pipeline_stages, settings=settings))
                report.seconds["flows"] = (datetime.now() - t0).total_seconds()
                if any(n.startswith("road network kept") for n in report.notes):
                    report.notes.append("road loads recomputed for the new flows (every corridor routed once)")
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, target)
    except AtlasError as exc:
        _cleanup(tmp)
        if isinstance(exc, BuildError):
            raise
        msg = f"Build failed, {target.name} left unchanged: {exc}"
        raise BuildError(msg) from exc
    except BaseException:
        _cleanup(tmp)
        raise
    report.seconds["total"] = (datetime.now() - started).total_seconds()
    return report


def _cleanup(tmp: Path) -> None:
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
