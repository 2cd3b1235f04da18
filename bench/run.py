"""Benchmark the atlas at scale against bare baselines measured in the same run on the same data.

``python -m geo bench [--pings N] [--json PATH]`` builds a temporary database with N simulated pings
through the project's own build (``geo.build.build_database``, in a child process so its peak memory is
its own), then measures, on that database:

* ``pipeline_vs_sort_ratio`` – seconds of the whole pipeline (pings → stays → place visits →
  visits_hourly → trips, the build's ``pipeline`` stage) ÷ seconds of one bare
  ``create temp table … as select <every pings column> from pings order by device, ts``; best of
  ``--pipeline-runs`` on each side, the sorts and the pipeline's reruns alternating.
* ``presence_vs_groupby_ratio`` – seconds to (re)compute ``visits_hourly`` from its input ÷ seconds of a
  bare ``count(*) group by cell, hour, segment`` over the same input, materialised the same way.
* ``zone_join_speedup`` – GeoPandas ``sjoin`` of the same 5M points (ping coordinates) to the zones ÷
  ``geo.zoning.assign_codes`` of those points (the index is precomputed; its build time is reported too).
* ``pipeline_pings_per_s`` – pings ÷ pipeline seconds.
* ``warm_rerun_p95_ms`` / ``cold_rerun_ms`` – wall time of each page's script run after a filter change
  (``streamlit.testing.v1.AppTest``, in a child process = the app process), warm caches (p95) and
  cleared caches; the worst page is reported, every page in ``details``.
* ``max_map_payload_bytes`` – largest map payload: every ``st_folium`` call captured during the page runs
  (the component arguments as JSON) and the density maps rendered for 10,000 cells.
* ``peak_rss_mb`` – peak resident memory of the build process and of the app process.

A metric that cannot be measured yet (e.g. the pipeline has not landed) is ``null`` with a reason in
``reasons``. Timings are never asserted by the tests; the machine is shared and noisy.
"""

from __future__ import annotations

import ast
import json
import logging
import multiprocessing as mp
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from geo import sql
from geo.errors import AtlasError
from geo.settings import MAP_CENTER, ROOT

#: Pings simulated by ``make bench`` when BENCH_PINGS is not set: the city scale the targets are stated
#: at (issue 5: "at 100M pings"); about 5 minutes on 2 cores, 4.8 GB peak for the build.
DEFAULT_PINGS = 100_000_000
#: Points the zone-join comparison assigns (the issue's 5M).
DEFAULT_ZONE_POINTS = 5_000_000
#: Cells drawn on the density maps for the payload measure (the issue's 10k).
DEFAULT_MAP_CELLS = 10_000
#: Runs of the pipeline and of the bare sort, best of each compared.
DEFAULT_PIPELINE_RUNS = 3
#: Seconds of pause before each timed sort and pipeline rerun (``_measure_pipeline``): DuckDB hands back the
#: memory a query freed within half a second, so every run starts with none of the run before's kept.
SETTLE_S = 2.0
#: Warm reruns per page (alternating two filter values) for the p95.
DEFAULT_WARM_RUNS = 12

#: Metric → (comparison, target); ``None`` = reported, no target.
TARGETS: dict[str, tuple[str, float] | None] = {
    "pipeline_vs_sort_ratio": ("<=", 1.5),  # issue 18 (≤ 2.0 before it), at every N from 10M to 1B
    "presence_vs_groupby_ratio": ("<=", 1.5),
    "zone_join_speedup": (">=", 20.0),
    "pipeline_pings_per_s": None,
    "warm_rerun_p95_ms": ("<=", 150.0),
    "cold_rerun_ms": ("<=", 1500.0),
    "max_map_payload_bytes": ("<=", 1_000_000.0),
    "peak_rss_mb_build": None,
    "peak_rss_mb_app": None,
}
METRIC_KEYS: tuple[str, ...] = tuple(TARGETS)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BenchOptions:
    """What to benchmark: simulated size, zone-join points, page reruns, where to work."""

    pings: int = DEFAULT_PINGS
    zone_points: int = DEFAULT_ZONE_POINTS
    map_cells: int = DEFAULT_MAP_CELLS
    warm_runs: int = DEFAULT_WARM_RUNS
    seed: int | None = None
    days: int | None = None
    workdir: Path | None = None
    keep_db: bool = False
    pages: bool = True
    #: Runs of the pipeline (the build's, then reruns on the built database) and of the bare sort; the best
    #: of each side is compared (``pipeline_vs_sort_ratio``).
    pipeline_runs: int = DEFAULT_PIPELINE_RUNS
    #: Pause (s) before each timed sort and pipeline rerun (``SETTLE_S``).
    settle_s: float = SETTLE_S
    #: Device partitions of the build's pipeline and of the sort baseline (``None``: sized by ``pings``).
    partitions: int | None = None
    #: Measure ``presence_vs_groupby_ratio`` (three SQL recomputations of visits_hourly and six group-bys).
    presence: bool = True
    #: Measure the pages (and the app's memory) on this existing database instead of building one.
    db: Path | None = None


@dataclass
class BenchResult:
    """Metrics (``None`` with a reason when not measurable), targets, machine, versions and details."""

    metrics: dict[str, float | None] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def set(self, key: str, value: float | None, reason: str | None = None) -> None:
        """Record metric ``key`` (rounded), or ``None`` with ``reason``."""
        self.metrics[key] = None if value is None else round(float(value), 3)
        if value is None:
            self.reasons[key] = reason or "not measured"
        else:
            self.reasons.pop(key, None)


# ---------------------------------------------------------------------------------------------
# Machine, versions, memory


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU model and OS of this machine."""
    import psutil

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores_logical": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": cpu,
        "os": platform.platform(),
    }


def versions() -> dict[str, str]:
    """Versions of Python and the packages whose speed the benchmark measures."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for pkg in ("duckdb", "streamlit", "folium", "streamlit-folium", "geopandas", "shapely", "numpy", "h3"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def cpu_seconds() -> float:
    """CPU seconds (user + system, all threads) this process has used: steadier than wall time on a busy host."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    Linux: ``VmHWM`` from ``/proc/self/status`` (the high-water mark of this process image). Not
    ``ru_maxrss``, which survives ``fork`` + ``exec`` and would report the parent's peak for a child
    spawned by a big parent. Elsewhere ``ru_maxrss`` (KiB on Linux, bytes on macOS).
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def reset_peak_rss() -> bool:
    """Start a new high-water mark of this process's resident memory (Linux: ``/proc/self/clear_refs``
    with 5 resets ``VmHWM``); False where that is not possible (then peaks are cumulative)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _run_child(target: Callable[..., dict[str, Any]], *args: Any, timeout: float = 7200) -> dict[str, Any]:
    """Run ``target(*args)`` in a fresh (spawned) process; return its dict (or ``{"error": ...}``)."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_main, args=(child, target, args), daemon=False)
    proc.start()
    child.close()
    result: dict[str, Any] = {"error": "child process ended without a result"}
    if parent.poll(timeout):
        try:
            result = parent.recv()
        except EOFError:
            pass
    else:
        result = {"error": f"child process timed out after {timeout:.0f} s"}
        proc.terminate()
    proc.join(60)
    if proc.exitcode not in (0, None) and "error" not in result:
        result["error"] = f"child process exited with code {proc.exitcode}"
    return result


def _child_main(conn: Any, target: Callable[..., dict[str, Any]], args: tuple) -> None:
    # DuckDB draws progress bars on stdout for long queries: keep the benchmark's output readable.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        out = target(*args)
    except Exception as exc:  # reported to the parent as a reason, never swallowed silently
        out = {"error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc(limit=8)}
    out["peak_rss_mb"] = max(peak_rss_mb(), out.get("peak_rss_mb_whole", 0.0))
    conn.send(out)
    conn.close()


# ---------------------------------------------------------------------------------------------
# Build (child process)


def _child_build(db: str, options: dict[str, Any]) -> dict[str, Any]:
    from geo.build import kernels
    from geo.build.run import BuildOptions, build_database

    # the compiled kernels loaded (or compiled, on a fresh install without `make setup`) before any stage
    # is timed: a stage's figure is its steady cost
    kernels_s, _ = _timed(kernels.warm)
    marks: list[tuple[str, float, float]] = []
    peaks: list[float] = []  # peak RSS of the stage that ended at each mark (the first: before any stage)
    resets = reset_peak_rss()
    started = time.perf_counter()

    def progress(stage: str) -> None:
        peaks.append(peak_rss_mb())
        reset_peak_rss()
        marks.append((stage, time.perf_counter(), cpu_seconds()))

    report = build_database(Path(db), BuildOptions(**options), progress=progress)
    ended, ended_cpu = time.perf_counter(), cpu_seconds()
    peaks.append(peak_rss_mb())
    stages: dict[str, float] = {}
    stages_cpu: dict[str, float] = {}
    stages_rss: dict[str, float] = {}
    for i, (stage, t, c) in enumerate(marks):
        t_next, c_next = (marks[i + 1][1], marks[i + 1][2]) if i + 1 < len(marks) else (ended, ended_cpu)
        stages[stage] = t_next - t
        stages_cpu[stage] = c_next - c
        stages_rss[stage] = peaks[i + 1] if resets else max(peaks[: i + 2])
    return {"counts": report.counts, "stages": stages, "stages_cpu": stages_cpu, "stages_peak_rss_mb": stages_rss,
            "pipeline_stages": report.pipeline_stages, "total_s": ended - started,
            "peak_rss_mb_whole": max(peaks), "kernels_load_s": kernels_s}


# ---------------------------------------------------------------------------------------------
# Timing helpers


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _timed_cpu(fn: Callable[[], Any]) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), cpu_seconds()
    fn()
    return time.perf_counter() - t0, cpu_seconds() - c0


def _best_of(fn: Callable[[], Any], runs: int) -> tuple[float, list[float]]:
    times = [_timed(fn)[0] for _ in range(runs)]
    return min(times), times


def _best_of_cpu(fn: Callable[[], Any], runs: int) -> tuple[float, float, list[float]]:
    """(best wall seconds, CPU seconds of that run, every wall time) over ``runs`` runs."""
    runs_ = [_timed_cpu(fn) for _ in range(runs)]
    wall, cpu = min(runs_)
    return wall, cpu, [w for w, _ in runs_]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, int(np.ceil(0.95 * len(ordered))) - 1)
    return ordered[rank]


# ---------------------------------------------------------------------------------------------
# Pipeline vs sort, presence vs group-by


#: The query files that (re)compute visits_hourly from stays, in order (issue 3's pipeline).
PRESENCE_STEPS = ("schema/create_visits_hourly", "build/insert_visits_hourly")


def presence_steps() -> list[str] | None:
    """Query names that recompute ``visits_hourly`` when the pipeline has them (else ``None``)."""
    try:
        for name in PRESENCE_STEPS:
            sql.query_path(name)
    except AtlasError:
        return None
    return list(PRESENCE_STEPS)


def sort_once(con: Any, partitions: int = 1) -> None:
    """One bare ``order by device, ts`` over every pings column, materialised and dropped.

    With ``partitions`` > 1 the same sort of each device partition in turn (the pipeline's unit of work and
    memory): a global sort of a billion rows would spill tens of GB to disk, which the out-of-core pipeline
    never does.
    """
    from geo.build.pipeline import partition_relation

    if partitions == 1:
        sql.execute(con, "bench/bench_sort_pings")
        sql.execute(con, "bench/bench_drop_sorted")
        return
    for part in range(partitions):
        con.register("pings_partition", partition_relation(con, part, partitions))
        try:
            sql.execute(con, "bench/bench_sort_partition")
            sql.execute(con, "bench/bench_drop_sorted")
        finally:
            con.unregister("pings_partition")


def measure_presence(con: Any, runs: int = 3) -> dict[str, Any]:
    """visits_hourly recomputation vs a bare ``count(*) group by cell, hour, segment`` on the same input.

    Best of ``runs`` on each side: both take well under a second at 20M pings, where one stray pause
    moves a single run by 10–25% (the first recomputation was the slowest in most runs).

    The headline baseline counts the same stay-hours visits_hourly counts (stays expanded into the hours
    they overlap); the stricter variant counts stays once, by start hour, with no expansion.
    """
    steps = presence_steps()
    if steps is None:
        return {"error": "the pipeline has no queries/schema/create_visits_hourly.sql + insert_visits_hourly.sql"}

    def presence() -> None:
        for name in steps:
            sql.execute(con, name)

    def baseline(name: str) -> Callable[[], None]:
        def run() -> None:
            sql.execute(con, name)
            sql.execute(con, "bench/bench_drop_groupby")

        return run

    redo, redo_cpu, redo_times = _best_of_cpu(presence, runs)
    base, base_cpu, base_times = _best_of_cpu(baseline("bench/bench_presence_groupby"), runs)
    strict, strict_cpu, _ = _best_of_cpu(baseline("bench/bench_presence_groupby_starts"), runs)
    return {"steps": steps, "presence_s": redo, "groupby_s": base, "presence_runs": redo_times,
            "groupby_runs": base_times, "presence_cpu_s": redo_cpu, "groupby_cpu_s": base_cpu,
            "ratio_cpu": redo_cpu / base_cpu if base_cpu > 0 else None,
            "groupby_by_start_hour_s": strict, "ratio_vs_start_hour_groupby": redo / strict if strict > 0 else None,
            "ratio_vs_start_hour_groupby_cpu": redo_cpu / strict_cpu if strict_cpu > 0 else None}


# ---------------------------------------------------------------------------------------------
# Zone join


def zone_points(con: Any, n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, str]:
    """``n`` points to assign: ping coordinates (repeated to ``n`` when fewer), else places + jitter."""
    from geo.services._require import present_tables

    rng = np.random.default_rng(seed)
    if "pings" in present_tables(con):
        cols = sql.execute(con, "bench/bench_zone_points", {"n": int(n)}).fetchnumpy()
        lon = np.asarray(cols["lon"], dtype=np.float64)
        lat = np.asarray(cols["lat"], dtype=np.float64)
        if lon.size:
            if lon.size < n:
                take = rng.integers(0, lon.size, n)
                lon, lat = lon[take], lat[take]
            return lon, lat, "pings"
    places = sql.fetch_df(con, "app/places", {"layers": [], "categories": []})
    pick = rng.integers(0, len(places), n)
    lon = places["lon"].to_numpy()[pick] + rng.normal(0, 0.004, n)
    lat = places["lat"].to_numpy()[pick] + rng.normal(0, 0.004, n)
    return lon, lat, "places with 400 m jitter (no pings table)"


def measure_zone_join(con: Any, n: int) -> dict[str, Any]:
    """Time GeoPandas ``sjoin`` and ``geo.zoning`` on the same ``n`` points; check they agree."""
    import geopandas as gpd
    import shapely

    from bench import zoning

    lon, lat, source = zone_points(con, n)
    index_s, index = _timed(lambda: zoning.zone_index_from_db(con))
    ours_s, ours_runs = _best_of(lambda: zoning.assign_codes(index, lon, lat), 3)
    codes = zoning.assign_codes(index, lon, lat)
    zones = gpd.GeoDataFrame({"zone_id": list(index.zone_ids)}, geometry=list(index.geoms), crs=4326)

    def sjoin() -> Any:
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
        return gpd.sjoin(points, zones, how="left", predicate="within")

    sjoin_s, joined = _timed(sjoin)
    joined = joined[~joined.index.duplicated(keep="first")].sort_index()
    theirs = joined["index_right"].fillna(-1).to_numpy().astype(np.int32)
    differ = np.flatnonzero(theirs != codes)
    # sjoin "within" leaves points exactly on an edge without a zone; our tie rule gives them one.
    on_edge = 0
    if differ.size:
        lines = shapely.boundary(np.asarray(index.geoms, dtype=object))
        pts = shapely.points(lon[differ], lat[differ])
        on_edge = int(sum(shapely.intersects(pts, line).sum() for line in lines))
    return {
        "points": int(n),
        "points_source": source,
        "sjoin_s": sjoin_s,
        "ours_s": ours_s,
        "ours_runs": ours_runs,
        "index_build_s": index_s,
        "index": index.describe(),
        "speedup_including_index_build": sjoin_s / (ours_s + index_s),
        "disagreements_with_sjoin": int(differ.size),
        "disagreements_on_a_zone_edge": on_edge,
        "ns_per_point": ours_s / n * 1e9,
    }


# ---------------------------------------------------------------------------------------------
# Pages and map payloads (child process = the app process)


def app_pages(app_file: Path = ROOT / "app.py") -> list[str]:
    """Page files registered in ``app.py`` (the ``st.Page("pages/views/...")`` calls), in order."""
    tree = ast.parse(app_file.read_text(encoding="utf-8"))
    pages: list[str] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) == "Page"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            pages.append(node.args[0].value)
    return pages


#: Filter changes tried in order, on the shared sidebar filters: (widget kind, key, value A, value B).
_FILTER_CHANGES: tuple[tuple[str, str, Any, Any], ...] = (
    ("slider", "f_hours", (8, 20), (0, 23)),
    ("multiselect", "f_weekdays", ["Sat", "Sun"], []),
    ("multiselect", "map_layers", ["attraction"], None),
)


def _find_widget(at: Any, kind: str, key: str) -> Any:
    group = getattr(at, kind, None)
    if group is None:
        return None
    for widget in group:
        if getattr(widget, "key", None) == key:
            return widget
    return None


def _filter_setter(at: Any) -> tuple[str, Callable[[Any, bool], None]] | None:
    """A function that flips one filter between two values on ``at`` (or None when the page has none)."""
    for kind, key, a, b in _FILTER_CHANGES:
        widget = _find_widget(at, kind, key)
        if widget is None:
            continue
        original = widget.value
        if kind == "multiselect" and key == "f_weekdays" and hasattr(widget, "options"):
            opts = list(widget.options)
            a = opts[5:7] if len(opts) >= 7 else opts[:1]
        first = a
        second = original if b is None else b
        if first == second:
            continue

        def flip(app: Any, state: bool, kind: str = kind, key: str = key, x: Any = first, y: Any = second) -> None:
            w = _find_widget(app, kind, key)
            if w is not None:
                w.set_value(x if state else y)

        return f"{kind}:{key}", flip
    return None


def _install_payload_probe() -> list[int]:
    """Record the JSON size of every ``st_folium`` component call (what the browser receives)."""
    import streamlit_folium

    sizes: list[int] = []
    original = streamlit_folium._component_func

    def probe(*args: Any, **kwargs: Any) -> Any:
        sizes.append(len(json.dumps({"args": args, "kwargs": kwargs}, default=str).encode("utf-8")))
        return original(*args, **kwargs)

    streamlit_folium._component_func = probe
    return sizes


def _child_pages(db: str, warm_runs: int, map_cells: int) -> dict[str, Any]:
    os.environ["ATLAS_DB"] = db
    os.environ["STREAMLIT_CLIENT_SHOW_ERROR_DETAILS"] = "full"  # page errors readable in the report
    os.environ["STREAMLIT_LOGGER_LEVEL"] = "error"  # no "missing ScriptRunContext" noise around the table
    os.chdir(ROOT)
    import streamlit as st
    from streamlit import logger as st_logger
    from streamlit.testing.v1 import AppTest

    st_logger.set_log_level("error")
    # AppTest re-reads the config and resets levels; these two warn on every bare-mode run, so silence them
    for name in ("streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).disabled = True

    sizes = _install_payload_probe()
    pages: dict[str, Any] = {}
    for page in app_pages():
        info: dict[str, Any] = {}
        try:
            at = AppTest.from_file(str(ROOT / page), default_timeout=120)
            first_s, _ = _timed(at.run)
            info["first_run_ms"] = first_s * 1000
            if at.exception:
                info["error"] = _exception_text(at)
                pages[page] = info
                continue
            setter = _filter_setter(at)
            info["filter"] = setter[0] if setter else "none (page has no shared filter; plain rerun)"
            flip = setter[1] if setter else (lambda app, state: None)
            before = len(sizes)
            # Cold: caches cleared (data and connection), then a filter change.
            st.cache_data.clear()
            st.cache_resource.clear()
            flip(at, True)
            cold_s, _ = _timed(at.run)
            info["cold_ms"] = cold_s * 1000
            flip(at, False)
            at.run()
            warm: list[float] = []
            for i in range(warm_runs):
                flip(at, i % 2 == 0)
                dt, _ = _timed(at.run)
                warm.append(dt * 1000)
            info["warm_ms"] = [round(w, 1) for w in warm]
            info["warm_p95_ms"] = _p95(warm)
            info["map_payload_bytes"] = max(sizes[before:], default=0)
            if at.exception:
                info["error"] = _exception_text(at)
        except Exception as exc:  # one broken page must not hide the others' numbers
            info["error"] = f"{type(exc).__name__}: {exc}"[:300]
        info["peak_rss_mb_so_far"] = peak_rss_mb()
        pages[page] = info
    density = _density_payloads(db, map_cells)
    density["peak_rss_mb_so_far"] = peak_rss_mb()
    return {"pages": pages, "density_maps": density}


def _exception_text(at: Any) -> str:
    exc = at.exception[0]
    trace = list(getattr(exc, "stack_trace", []) or [])
    return (str(exc.message) + (" | " + trace[-1].strip() if trace else ""))[:400]


def _density_payloads(db: str, n_cells: int) -> dict[str, Any]:
    """Render the density page's maps (heat map, H3 choropleth) for ``n_cells`` cells; bytes each."""
    try:
        from geo.render import presence_maps
        from geo.services import geography
    except ImportError as exc:
        return {"error": f"density map builders not available ({exc})"}
    from geo.db import connect

    con = connect(db, "officials", read_only=True)
    try:
        lat, lon = MAP_CENTER
        cells = sql.fetch_df(con, "bench/bench_map_cells", {"n": int(n_cells), "lat": lat, "lon": lon})
        zones = geography.zones_geojson(con)
    finally:
        con.close()
    rng = np.random.default_rng(11)
    cells["present"] = np.round(rng.lognormal(2.0, 1.2, len(cells)), 1) + 0.1
    out: dict[str, Any] = {"cells": len(cells)}
    for name in ("choropleth_map", "heat_map"):
        builder = getattr(presence_maps, name, None)
        if builder is None:
            continue
        m = builder(cells, zones)
        out[name] = len(m.get_root().render().encode("utf-8"))
    return out


# ---------------------------------------------------------------------------------------------
# The run


def run_bench(options: BenchOptions | None = None, progress: Progress | None = None) -> BenchResult:
    """Build a temporary database of ``options.pings`` simulated pings and measure every metric."""
    from geo.build.run import DEFAULT_DAYS, DEFAULT_SEED
    from geo.db import connect
    from geo.services.catalog import table_counts

    options = options or BenchOptions()
    say = progress or (lambda _msg: None)
    if options.db is not None:
        return _bench_existing_db(options, say)
    result = BenchResult()
    result.details["started_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    workdir = Path(tempfile.mkdtemp(prefix="atlas-bench-", dir=options.workdir))
    db = workdir / "bench.duckdb"
    try:
        build_opts = {
            "pings": int(options.pings),
            "seed": DEFAULT_SEED if options.seed is None else options.seed,
            "days": DEFAULT_DAYS if options.days is None else options.days,
            "partitions": options.partitions,
        }
        say(f"building a database with {options.pings:,} simulated pings")
        build = _run_child(_child_build, str(db), build_opts)
        flows = "error" not in build
        if not flows:
            result.details["build_error"] = build["error"]
            say(f"flow build failed ({build['error']}); measuring on places and zones only")
            build = _run_child(_child_build, str(db), {"flows": False})
            if "error" in build:
                msg = f"even a seed-only build failed: {build['error']}"
                raise RuntimeError(msg)
        result.details["build"] = {k: v for k, v in build.items() if k != "traceback"}
        if flows:
            result.set("peak_rss_mb_build", build["peak_rss_mb"])
        else:
            result.set("peak_rss_mb_build", None, f"build with flows failed: {result.details['build_error']}")

        con = connect(db, "officials")
        try:
            sql.execute(con, "bench/bench_quiet")
            counts = table_counts(con)
            build["counts"] = {**build.get("counts", {}), **counts}
            result.details["table_rows"] = counts
            result.details["n_pings"] = counts.get("pings")
            _measure_pipeline(con, build, flows, result, say, options)
            say(f"zone join: GeoPandas sjoin vs geo.zoning on {options.zone_points:,} points")
            zj = measure_zone_join(con, options.zone_points)
            result.details["zone_join"] = zj
            result.set("zone_join_speedup", zj["sjoin_s"] / zj["ours_s"])
        finally:
            con.close()

        if options.pages:
            say("pages: cold and warm reruns with a filter change (AppTest), map payloads")
            pages = _run_child(_child_pages, str(db), options.warm_runs, options.map_cells)
            _record_pages(pages, result)
        else:
            for key in ("warm_rerun_p95_ms", "cold_rerun_ms", "max_map_payload_bytes", "peak_rss_mb_app"):
                result.set(key, None, "pages not measured (--no-pages)")
    finally:
        if options.keep_db:
            result.details["db"] = str(db)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    result.details["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result


#: Metrics that need the benchmark's own build (null when ``--db`` measures an existing database).
_BUILD_METRICS = ("pipeline_vs_sort_ratio", "presence_vs_groupby_ratio", "zone_join_speedup", "pipeline_pings_per_s",
                  "peak_rss_mb_build")
_PAGE_METRICS = ("warm_rerun_p95_ms", "cold_rerun_ms", "max_map_payload_bytes", "peak_rss_mb_app")


def _bench_existing_db(options: BenchOptions, say: Progress) -> BenchResult:
    """Pages, map payloads and app memory on ``options.db`` (nothing built; the database is only read)."""
    from geo.db import connect
    from geo.services.catalog import table_counts

    db = Path(options.db).resolve()
    if not db.is_file():
        msg = f"no database at {db} (--db takes an existing atlas database)"
        raise AtlasError(msg)
    result = BenchResult()
    result.details["started_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    result.details["existing_db"] = str(db)
    con = connect(db, "officials", read_only=True)
    try:
        counts = table_counts(con)
    finally:
        con.close()
    result.details["table_rows"] = counts
    result.details["n_pings"] = counts.get("pings")
    for key in _BUILD_METRICS:
        result.set(key, None, f"--db: pages only, measured on the existing database {db}")
    if options.pages:
        say(f"pages on {db}: cold and warm reruns with a filter change (AppTest), map payloads")
        _record_pages(_run_child(_child_pages, str(db), options.warm_runs, options.map_cells), result)
    else:
        for key in _PAGE_METRICS:
            result.set(key, None, "pages not measured (--no-pages)")
    result.details["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return result


def _measure_pipeline(con: Any, build: dict[str, Any], flows: bool, result: BenchResult, say: Progress,
                      options: BenchOptions | None = None) -> None:
    from geo.build.pipeline import partition_count, run_pipeline
    from geo.services._require import present_tables

    options = options or BenchOptions()

    stages = build.get("stages", {})
    if not flows or "pipeline" not in stages or "pings" not in present_tables(con):
        why = f"no pipeline run: {result.details.get('build_error', 'the build has no pipeline stage')}"
        for key in ("pipeline_vs_sort_ratio", "pipeline_pings_per_s", "presence_vs_groupby_ratio"):
            result.set(key, None, why)
        return
    n_pings = int(build["counts"].get("pings") or 0)
    partitions = options.partitions or partition_count(int(options.pings))
    runs = [(stages["pipeline"], build.get("stages_cpu", {}).get("pipeline"), build.get("pipeline_stages", {}))]
    from geo.build import kernels

    kernels.warm()  # this process's first pipeline run would otherwise load the compiled kernels
    # Every timed run starts from the same memory state: after a pause of SETTLE_S, in which DuckDB's allocator
    # has handed back the memory the run before freed. A sort started right after a sort reused it (10k page
    # faults instead of 370k at 10M pings, 0.1 s of system time instead of 1.1 s: a quarter faster), a
    # speed no real build sees, since nothing sorts the same pings twice in a row; the pipeline could not
    # profit so, as its tail outlasts that memory. Sorts and pipeline reruns also alternate (the build's
    # pipeline, sort, pipeline, ..., sort), so a drift in the machine's speed reaches both sides.
    sorts: list[tuple[float, float]] = []
    order = ["pipeline"]  # the build's
    for i in range(max(1, options.pipeline_runs)):
        say(f"bare sort {i + 1} of {options.pipeline_runs}: order by device, ts over the same pings "
            f"({partitions} partition(s))")
        time.sleep(options.settle_s)
        sorts.append(_timed_cpu(lambda: sort_once(con, partitions)))
        order.append("sort")
        if i + 1 < options.pipeline_runs:
            say(f"pipeline rerun {i + 2} of {options.pipeline_runs} ({partitions} partition(s))")
            timings: dict[str, float] = {}
            time.sleep(options.settle_s)
            wall, cpu = _timed_cpu(lambda t=timings: run_pipeline(con, partitions=partitions, timings=t))
            runs.append((wall, cpu, timings))
            order.append("pipeline")
    pipeline_s, pipeline_cpu, pipeline_stages = min(runs, key=lambda r: r[0])
    sort_s, sort_cpu = min(sorts)
    sort_runs = [w for w, _ in sorts]
    result.details["pipeline"] = {"pipeline_s": pipeline_s, "sort_s": sort_s, "sort_runs": sort_runs,
                                  "pipeline_runs": [r[0] for r in runs], "partitions": partitions,
                                  "run_order": order, "settle_s": options.settle_s,
                                  "pipeline_cpu_s": pipeline_cpu, "sort_cpu_s": sort_cpu,
                                  "ratio_cpu": pipeline_cpu / sort_cpu if pipeline_cpu and sort_cpu else None,
                                  "pipeline_stages": pipeline_stages,
                                  "stages": stages, "stages_cpu": build.get("stages_cpu"),
                                  "stages_peak_rss_mb": build.get("stages_peak_rss_mb"),
                                  "stages_pings_per_s": {k: n_pings / v for k, v in stages.items() if v > 0}}
    result.set("pipeline_vs_sort_ratio", pipeline_s / sort_s)
    result.set("pipeline_pings_per_s", n_pings / pipeline_s if pipeline_s > 0 else None,
               "pipeline took no measurable time")
    if not options.presence:
        result.set("presence_vs_groupby_ratio", None, "not measured (--no-presence)")
        return
    say("presence: visits_hourly vs bare count(*) group by cell, hour, segment")
    presence = measure_presence(con)
    result.details["presence"] = presence
    if "error" in presence:
        result.set("presence_vs_groupby_ratio", None, presence["error"])
    else:
        result.set("presence_vs_groupby_ratio", presence["presence_s"] / presence["groupby_s"])


def _record_pages(pages: dict[str, Any], result: BenchResult) -> None:
    result.details["app"] = {k: v for k, v in pages.items() if k != "traceback"}
    if "error" in pages:
        why = f"page runs failed: {pages['error']}"
        for key in ("warm_rerun_p95_ms", "cold_rerun_ms", "max_map_payload_bytes", "peak_rss_mb_app"):
            result.set(key, None, why)
        return
    per_page = pages.get("pages", {})
    ok = {p: i for p, i in per_page.items() if "error" not in i and "cold_ms" in i}
    broken = {p: i["error"] for p, i in per_page.items() if "error" in i}
    why = "no page ran cleanly" + (f" ({broken})" if broken else "")
    if ok:
        result.set("warm_rerun_p95_ms", max(i["warm_p95_ms"] for i in ok.values()))
        result.set("cold_rerun_ms", max(i["cold_ms"] for i in ok.values()))
    else:
        result.set("warm_rerun_p95_ms", None, why)
        result.set("cold_rerun_ms", None, why)
    if broken:
        result.details["pages_with_errors"] = broken
    payloads = [i.get("map_payload_bytes", 0) for i in per_page.values()]
    density = pages.get("density_maps", {})
    payloads += [v for k, v in density.items() if k.endswith("_map") and isinstance(v, int | float)]
    if any(payloads):
        result.set("max_map_payload_bytes", max(payloads))
    else:
        result.set("max_map_payload_bytes", None, "no page drew a map and no density map builder was found")
    result.set("peak_rss_mb_app", pages.get("peak_rss_mb"))


# ---------------------------------------------------------------------------------------------
# Output


def status(key: str, value: float | None) -> str:
    """``pass``, ``MISS``, ``—`` (no target) or ``n/a`` (not measured) for one metric."""
    target = TARGETS.get(key)
    if value is None:
        return "n/a"
    if target is None:
        return "—"
    op, limit = target
    ok = value <= limit if op == "<=" else value >= limit
    return "pass" if ok else "MISS"


def to_json(result: BenchResult, options: BenchOptions) -> dict[str, Any]:
    """The JSON document: every metric at top level, then targets, status, reasons, machine, versions."""
    doc: dict[str, Any] = {key: result.metrics.get(key) for key in METRIC_KEYS}
    doc["peak_rss_mb"] = {"build": result.metrics.get("peak_rss_mb_build"),
                          "app": result.metrics.get("peak_rss_mb_app")}
    doc["n_pings_requested"] = None if options.db is not None else options.pings
    doc["n_pings"] = result.details.get("n_pings")
    doc["targets"] = {k: (None if t is None else {"op": t[0], "value": t[1]}) for k, t in TARGETS.items()}
    doc["status"] = {k: status(k, result.metrics.get(k)) for k in METRIC_KEYS}
    doc["reasons"] = dict(result.reasons)
    doc["machine"] = machine_info()
    doc["versions"] = versions()
    doc["options"] = {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(options).items()}
    doc["details"] = result.details
    return doc


def format_table(doc: dict[str, Any]) -> str:
    """A readable table: metric, value, target, pass/MISS, and the reason when a value is missing."""
    rows = [("metric", "value", "target", "status")]
    for key in METRIC_KEYS:
        value = doc.get(key)
        target = doc["targets"].get(key)
        shown = "null" if value is None else (f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}")
        rows.append((key, shown, "—" if target is None else f"{target['op']} {target['value']:,g}",
                     doc["status"][key]))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
             for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    m, v = doc["machine"], doc["versions"]
    lines.append("")
    requested = doc["n_pings_requested"]
    source = f"requested {requested:,}" if requested is not None else f"existing database {doc['details'].get('existing_db')}"
    lines.append(f"N = {doc['n_pings'] or 0:,} pings ({source}); "
                 f"{m['cores_usable']} cores, {m['memory_gb']} GB; python {v['python']}, duckdb {v['duckdb']}, "
                 f"streamlit {v['streamlit']}, folium {v['folium']}")
    for key, why in doc["reasons"].items():
        lines.append(f"  {key}: null because {why}")
    lines.extend(stage_lines(doc))
    return "\n".join(lines)


def stage_lines(doc: dict[str, Any]) -> list[str]:
    """Seconds, pings/s and peak memory of each build stage, then the pipeline's own stages (best run)."""
    details = doc.get("details", {})
    build = details.get("build", {})
    stages = build.get("stages") or {}
    if not stages:
        return []
    n = doc.get("n_pings") or 0
    rss = build.get("stages_peak_rss_mb") or {}
    lines = ["", f"{'build stage':<14}{'seconds':>10}{'pings/s':>14}{'peak RSS MB':>13}"]
    for stage, secs in stages.items():
        rate = f"{n / secs:,.0f}" if secs > 0 and n else "—"
        peak = f"{rss[stage]:,.0f}" if stage in rss else "—"
        lines.append(f"{stage:<14}{secs:>10.2f}{rate:>14}{peak:>13}")
    best = details.get("pipeline", {})
    parts = best.get("pipeline_stages") or {}
    if parts:
        lines.append(f"pipeline stages (best of {len(best.get('pipeline_runs', [1]))} runs, "
                     f"{best.get('partitions', 1)} partition(s)): "
                     + ", ".join(f"{k} {v:.2f}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1])))
    return lines


def write_json(doc: dict[str, Any], path: Path) -> None:
    """Write the JSON document (parents created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")


def main_bench(options: BenchOptions, json_path: Path | None, quiet: bool = False) -> dict[str, Any]:
    """Run the benchmark, print the table, write the JSON; returns the JSON document."""

    def say(msg: str) -> None:
        if not quiet:
            print(f"[bench {datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)

    result = run_bench(options, say)
    doc = to_json(result, options)
    if json_path is not None:
        write_json(doc, json_path)
    if not quiet:
        print(format_table(doc))
    return doc
