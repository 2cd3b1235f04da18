"""The road network in the atlas database: storing it, carrying it into a rebuilt database, and the road loads.

**Road loads** are a rollup-like step (run by ``geo.build.rollups.run_rollups`` after the SQL rollups, and
after a roads import): every zone → zone corridor with trips and the ``TOP_PLACE_CORRIDORS`` busiest
place → place corridors (over the whole period) are routed once on the network, and each routed corridor's
path is stored as its list of directed edges (``road_corridor_edges``). A page's road-load map is then one
SQL join of ``od_daily``'s trips for its filters (dates, weekdays, segments: the same ``od_filtered`` macro
the corridor map uses) to those lists, summed per edge — exact for any filter, and nothing is routed per
rerun. ``road_corridors`` says for each corridor whether it was routed and why not.

Where a corridor's trips go: all trips of a corridor follow the one fastest path between its two ends.
A **zone's** end is its anchor, the network node inside the zone nearest the zone's point on surface (the
point the corridor map draws; when no node lies inside, the nearest node within ``ZONE_SNAP_MAX_M``); a
**place's** end is the place snapped to the nearest road (within ``ROAD_SNAP_MAX_M``, as for itineraries).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import shapely

from geo import sql
from geo.db import connect
from geo.roadgraph import RoadGraph, Snap, haversine_m
from geo.vocab import ROAD_SNAP_MAX_M, ZONE_SNAP_MAX_M

#: Busiest place → place corridors routed for the road loads (zone corridors are all routed).
TOP_PLACE_CORRIDORS = 1000
NETWORK_TABLES = ("road_nodes", "road_edges")


def _present(con: duckdb.DuckDBPyConnection, *tables: str) -> bool:
    return all(bool(sql.fetch_one(con, "ingest/table_exists", {"name": t})["present"]) for t in tables)


def has_network(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the open database holds a road network."""
    return _present(con, *NETWORK_TABLES)


def write_network(con: duckdb.DuckDBPyConnection, nodes: pd.DataFrame, edges: pd.DataFrame) -> None:
    """Replace the stored network with ``nodes`` and ``edges`` (frames as ``geo.ingest.roads`` builds them)."""
    sql.execute(con, "schema/create_road_nodes")
    sql.execute(con, "schema/create_road_edges")
    con.register("road_nodes_frame", nodes)
    try:
        sql.execute(con, "build/insert_road_nodes")
    finally:
        con.unregister("road_nodes_frame")
    con.register("road_edges_frame", edges)
    try:
        sql.execute(con, "build/insert_road_edges")
    finally:
        con.unregister("road_edges_frame")


def load_graph(con: duckdb.DuckDBPyConnection) -> RoadGraph:
    """The stored network as a :class:`RoadGraph`."""
    return RoadGraph.from_frames(sql.fetch_df(con, "build/road_nodes_all"), sql.fetch_df(con, "build/road_edges_all"))


def carry_network(con: duckdb.DuckDBPyConnection, previous: Path) -> str | None:
    """Copy the road network (and its provenance row) of the database at ``previous`` into ``con``.

    A rebuild creates a fresh database from the seed files; the imported network is not a seed file, so
    it is carried over. Returns a line for the build's report, or ``None`` when there was nothing to carry.
    """
    if not previous.is_file():
        return None
    try:
        old = connect(previous, "officials", read_only=True)
    except Exception as exc:  # an unreadable old file must not stop a rebuild
        return f"the road network of the previous {previous.name} could not be read ({exc}); import it again"
    try:
        if not has_network(old):
            return None
        nodes = sql.fetch_df(old, "build/road_nodes_all")
        edges = sql.fetch_df(old, "build/road_edges_all").drop(columns=["road"])
        meta = sql.fetch_df(old, "build/road_meta")
    finally:
        old.close()
    write_network(con, nodes, edges)
    for row in meta.to_dict("records"):
        sql.execute(con, "build/insert_meta", row)
    return f"road network kept from the previous database: {len(nodes):,} nodes, {len(edges):,} edges"


def _zone_anchors(con: duckdb.DuckDBPyConnection, graph: RoadGraph) -> tuple[dict[str, Snap], dict[str, str]]:
    """Each tourism zone's anchor node (see the module docstring), and why a zone has none."""
    anchors: dict[str, Snap] = {}
    missing: dict[str, str] = {}
    zones = sql.fetch_df(con, "build/road_zone_anchors")
    for z in zones.to_dict("records"):
        geom = shapely.from_wkb(bytes(z["wkb"]))
        inside = np.flatnonzero(shapely.contains_xy(geom, graph.lon, graph.lat))
        pool = inside if len(inside) else np.arange(graph.n_nodes)
        dist = haversine_m(z["lon"], z["lat"], graph.lon[pool], graph.lat[pool])
        k = int(np.argmin(dist))
        if not len(inside) and dist[k] > ZONE_SNAP_MAX_M:
            missing[z["zone_id"]] = (f"zone {z['zone_id']} has no road inside and is {dist[k] / 1000:,.1f} km from "
                                     f"the network (limit {ZONE_SNAP_MAX_M / 1000:,.0f} km)")
            continue
        anchors[z["zone_id"]] = graph.node_snap(int(pool[k]), z["lon"], z["lat"])
    return anchors, missing


def _place_snaps(con: duckdb.DuckDBPyConnection, graph: RoadGraph, wanted: set[str]) -> tuple[dict[str, Snap], dict[str, str]]:
    snaps: dict[str, Snap] = {}
    missing: dict[str, str] = {}
    for p in sql.fetch_df(con, "build/road_place_points").to_dict("records"):
        if p["place_id"] not in wanted:
            continue
        s = graph.snap(float(p["lon"]), float(p["lat"]), ROAD_SNAP_MAX_M)
        if s is None:
            missing[p["place_id"]] = f"place {p['place_id']} is more than {ROAD_SNAP_MAX_M:,.0f} m from the nearest road"
        else:
            snaps[p["place_id"]] = s
    return snaps, missing


def route_corridors(graph: RoadGraph, corridors: pd.DataFrame, ends: dict[str, dict[str, Snap]],
                    missing: dict[str, dict[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Route ``corridors`` (level, origin, destination) between their snapped ``ends`` (per level); returns
    the ``road_corridors`` and ``road_corridor_edges`` rows."""
    rows: list[dict[str, Any]] = []
    edge_rows: list[pd.DataFrame] = []
    for level, group in corridors.groupby("level", sort=True):
        snaps, why = ends.get(level, {}), missing.get(level, {})
        keys = sorted(set(group["origin"]) | set(group["destination"]))
        known = [k for k in keys if k in snaps]
        index = {k: i for i, k in enumerate(known)}
        points = [snaps[k] for k in known]
        todo, pairs = [], []
        for rec in group.to_dict("records"):
            o, d = rec["origin"], rec["destination"]
            if o in index and d in index:
                todo.append(rec)
                pairs.append((index[o], index[d]))
            else:
                note = why.get(o) or why.get(d) or f"no road anchor for {o if o not in index else d}"
                rows.append({"level": level, "origin": o, "destination": d, "routed": False, "seconds": None,
                             "length_m": None, "edges": 0, "note": note})
        results = graph.route_pairs(points, points, pairs, paths=False) if pairs else []
        routed: list[tuple[str, str, np.ndarray]] = []
        for rec, path in zip(todo, results, strict=True):
            o, d = rec["origin"], rec["destination"]
            if path is None:
                rows.append({"level": level, "origin": o, "destination": d, "routed": False, "seconds": None,
                             "length_m": None, "edges": 0, "note": "no path on the network"})
                continue
            rows.append({"level": level, "origin": o, "destination": d, "routed": True, "seconds": path.seconds,
                         "length_m": path.length_m, "edges": len(path.edges), "note": ""})
            routed.append((o, d, path.edges))
        if routed:   # one frame per level, not one per corridor
            counts = [len(e) for _, _, e in routed]
            edge_rows.append(pd.DataFrame({
                "level": level,
                "origin": np.repeat(np.array([o for o, _, _ in routed], dtype=object), counts),
                "destination": np.repeat(np.array([d for _, d, _ in routed], dtype=object), counts),
                "edge_id": np.concatenate([e for _, _, e in routed]).astype(np.int32)}))
    columns = ["level", "origin", "destination", "routed", "seconds", "length_m", "edges", "note"]
    out = pd.DataFrame(rows, columns=columns).astype({"routed": bool, "edges": "int32",
                                                      "seconds": "float64", "length_m": "float64"})
    edges = (pd.concat(edge_rows, ignore_index=True) if edge_rows else
             pd.DataFrame({"level": pd.Series(dtype=str), "origin": pd.Series(dtype=str),
                           "destination": pd.Series(dtype=str), "edge_id": pd.Series(dtype="int32")}))
    return out, edges


def refresh_road_loads(con: duckdb.DuckDBPyConnection, top_places: int = TOP_PLACE_CORRIDORS,
                       graph: RoadGraph | None = None) -> dict[str, Any] | None:
    """Route the corridors and store their paths (see the module docstring); ``None`` without a network.

    Returns counts for reports: corridors and trips routed per level, seconds taken.
    """
    if not has_network(con):
        return None
    started = time.perf_counter()
    sql.execute(con, "schema/create_road_corridors")
    sql.execute(con, "schema/create_road_corridor_edges")
    if not _present(con, "od_daily"):
        return {"corridors": 0, "routed": 0, "seconds": 0.0, "levels": {}}
    graph = graph or load_graph(con)
    corridors = sql.fetch_df(con, "build/road_corridor_list", {"top_places": int(top_places)})
    anchors, zone_missing = _zone_anchors(con, graph)
    place_ids = set(corridors.loc[corridors["level"] == "place", "origin"]) | set(
        corridors.loc[corridors["level"] == "place", "destination"])
    place_snaps, place_missing = _place_snaps(con, graph, place_ids)
    table, edges = route_corridors(graph, corridors, {"zone": anchors, "place": place_snaps},
                                   {"zone": zone_missing, "place": place_missing})
    for name, frame, query in (("road_corridors_frame", table, "build/insert_road_corridors"),
                               ("road_corridor_edges_frame", edges, "build/insert_road_corridor_edges")):
        con.register(name, frame)
        try:
            sql.execute(con, query)
        finally:
            con.unregister(name)
    merged = corridors.merge(table[["level", "origin", "destination", "routed"]], how="left")
    levels = {}
    for level, g in merged.groupby("level"):
        levels[level] = {"corridors": len(g), "routed": int(g["routed"].sum()), "trips": int(g["trips"].sum()),
                         "trips_routed": int(g.loc[g["routed"], "trips"].sum())}
    return {"corridors": len(table), "routed": int(table["routed"].sum()), "edges": len(edges),
            "seconds": round(time.perf_counter() - started, 3), "levels": levels}


def loads_line(summary: dict[str, Any] | None) -> str | None:
    """The road loads' summary as one report line."""
    if summary is None:
        return None
    parts = [f"{v['routed']:,} of {v['corridors']:,} {k} corridors ({v['trips_routed'] / v['trips']:.0%} of their trips)"
             for k, v in summary["levels"].items() if v["trips"]]
    return (f"road loads: routed {', '.join(parts) or 'no corridors (no flows)'} in {summary['seconds']:.1f} s")
