"""Answer road questions: is a network loaded, route an itinerary on it, and the road loads of a period.

``RoadRouter`` implements ``movement.RouteEngine`` on the imported network (``geo.roadgraph``): each place
is snapped to the nearest road within ``ROAD_SNAP_MAX_M`` (the snap distance is part of the leg); a leg
with a place farther away, or without a path, is a straight line at the assumed speed, flagged
``on_roads=False`` with the reason. ``movement.route_engine`` returns it whenever the database holds a
network.

The graph (arrays, CSR matrix, snapping index: ~0.5 s to load for 200k edges) is kept per network in this
process (``_GRAPHS``, keyed by the network id the import wrote into ``meta``; two networks at most), so a
service stays a function of its arguments: the same database file always gives the same graph, a new import
gives a new id.

Road loads (``road_loads``, ``road_load_totals``, ``top_streets``) are SQL over the stored corridor paths
(``geo.build.roads``): trips for the filters summed per street segment, nothing routed per call.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from geo import sql
from geo.i18n import _
from geo.roadgraph import RoadGraph, RoadPath, Snap, turn_instruction
from geo.services._require import present_tables, require_macros, require_tables
from geo.services.filters import Filters
from geo.services.movement import Leg, Stop, StraightLineRouter
from geo.vocab import FAR_FROM_ROAD_NOTE, FLOW_LEVELS, NO_ROAD_PATH_NOTE, ROAD_LABEL, ROAD_SNAP_MAX_M

NETWORK_TABLES = ("road_nodes", "road_edges")
#: Most street segments a road-load map draws (~0.6 MB of map payload at 8 points a segment; the busiest
#: segments of a city's corridors are well within it).
MAX_LOAD_SEGMENTS = 2000

_GRAPHS: OrderedDict[str, RoadGraph] = OrderedDict()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class NetworkInfo:
    """The loaded network: its id, source, import time and the importer's counts."""

    network_id: str
    sources: str
    imported_at: datetime
    nodes: int
    edges: int
    km: float
    dropped_pieces: int
    dropped_km: float
    params: str


def network_info(con: duckdb.DuckDBPyConnection) -> NetworkInfo | None:
    """The loaded road network, or ``None`` (the pages then draw straight lines and say how to import one)."""
    if not set(NETWORK_TABLES) <= present_tables(con):
        return None
    row = sql.fetch_one(con, "app/road_network")
    if row is None:
        return None
    params: dict[str, Any] = json.loads(row["params"] or "{}")
    return NetworkInfo(
        network_id=str(params.get("network_id") or row["built_at"]), sources=row["sources"],
        imported_at=row["built_at"], nodes=int(params.get("nodes") or 0), edges=int(params.get("edges") or 0),
        km=float(params.get("km") or 0.0), dropped_pieces=int(params.get("dropped_pieces") or 0),
        dropped_km=float(params.get("dropped_km") or 0.0), params=row["params"] or "{}",
    )


def road_graph(con: duckdb.DuckDBPyConnection, info: NetworkInfo) -> RoadGraph:
    """The network's graph, loaded once per network id in this process."""
    with _LOCK:
        graph = _GRAPHS.get(info.network_id)
        if graph is not None:
            _GRAPHS.move_to_end(info.network_id)
            return graph
    graph = RoadGraph.from_frames(sql.fetch_df(con, "app/road_graph_nodes"), sql.fetch_df(con, "app/road_graph_edges"))
    with _LOCK:
        _GRAPHS[info.network_id] = graph
        while len(_GRAPHS) > 2:
            _GRAPHS.popitem(last=False)
    return graph


def _straight_note(stop: Stop, snap: Snap | None, limit: float) -> str:
    return "" if snap is not None else FAR_FROM_ROAD_NOTE.format(name=stop.name_en, limit=f"{limit:,.0f}")


@dataclass(frozen=True, eq=False)
class RoadRouter:
    """Routes legs on the road network (fastest free-flow path); a place farther than ``snap_max_m`` from
    any road gets a straight-line leg at ``speed_kmh``, flagged and explained."""

    graph: RoadGraph
    speed_kmh: float = 25.0
    snap_max_m: float = ROAD_SNAP_MAX_M
    label: str = ROAD_LABEL

    def snap(self, stop: Stop) -> Snap | None:
        """Where ``stop`` joins the network, or ``None`` when it is too far from any road."""
        return self.graph.snap(stop.lon, stop.lat, self.snap_max_m)

    def _leg(self, a: Stop, b: Stop, sa: Snap | None, sb: Snap | None, path: RoadPath | None) -> Leg:
        if path is None:
            note = _straight_note(a, sa, self.snap_max_m) or _straight_note(b, sb, self.snap_max_m) or \
                NO_ROAD_PATH_NOTE
            base = StraightLineRouter(self.speed_kmh).leg(a, b)
            return Leg(a, b, base.distance_m, base.minutes, base.path, on_roads=False,
                       snap_from_m=None if sa is None else sa.distance_m,
                       snap_to_m=None if sb is None else sb.distance_m, note=note)
        return Leg(a, b, path.length_m, path.seconds / 60, path.path, on_roads=True, snap_from_m=sa.distance_m,
                   snap_to_m=sb.distance_m, turns=path.turns)

    def leg(self, origin: Stop, destination: Stop) -> Leg:
        """The fastest leg on roads, or a flagged straight line."""
        return self.legs([origin, destination])[0]

    def legs(self, stops: Sequence[Stop]) -> list[Leg]:
        """Legs between consecutive stops, routed in one batch."""
        snaps = [self.snap(s) for s in stops]
        known = [i for i, s in enumerate(snaps) if s is not None]
        index = {i: k for k, i in enumerate(known)}
        pairs = [(i, i + 1) for i in range(len(stops) - 1)]
        routable = [(index[i], index[j]) for i, j in pairs if i in index and j in index]
        points = [snaps[i] for i in known]
        found = iter(self.graph.route_pairs(points, points, routable) if routable else [])
        out = []
        for i, j in pairs:
            path = next(found) if i in index and j in index else None
            out.append(self._leg(stops[i], stops[j], snaps[i], snaps[j], path))
        return out

    def matrix(self, stops: Sequence[Stop]) -> np.ndarray:
        """Driving seconds between every ordered pair of stops (straight line at the assumed speed where a
        stop is too far from any road)."""
        straight = StraightLineRouter(self.speed_kmh).matrix(stops)
        snaps = [self.snap(s) for s in stops]
        known = [i for i, s in enumerate(snaps) if s is not None]
        if len(known) >= 2:
            sub = self.graph.matrix([snaps[i] for i in known])
            ix = np.ix_(known, known)
            straight[ix] = np.where(np.isfinite(sub), sub, straight[ix])
        return straight


def road_router(con: duckdb.DuckDBPyConnection, speed_kmh: float) -> RoadRouter | None:
    """A router on the loaded network, or ``None`` when there is none."""
    info = network_info(con)
    if info is None:
        return None
    return RoadRouter(road_graph(con, info), speed_kmh=speed_kmh)


# -------------------------------------------------------------------------------------------------
# Road loads


def _check_level(level: str) -> None:
    if level not in FLOW_LEVELS:
        from geo.errors import FilterError

        msg = _("Road loads are of corridors between zones or places; got {level!r}.").format(level=level)
        raise FilterError(msg)


def _require_loads(con: duckdb.DuckDBPyConnection) -> None:
    require_tables(con, "od_daily", "road_corridor_edges", "road_corridors", *NETWORK_TABLES)
    require_macros(con, "od_filtered")


def _params(filters: Filters, level: str) -> dict[str, Any]:
    p = filters.params()
    return {"level": level, **{k: p[k] for k in ("start", "end", "weekdays", "segments")}}


def road_loads(con: duckdb.DuckDBPyConnection, filters: Filters, level: str = "zone",
               top_n: int = MAX_LOAD_SEGMENTS) -> pd.DataFrame:
    """The ``top_n`` most loaded street segments for the filters (both directions summed), busiest first.

    Columns: rank, segment_id, trips (trips in the period on the corridors whose path uses the segment),
    busier_direction, highway, name, name_th, ref, length_m, geometry (GeoJSON LineString text).
    """
    _check_level(level)
    _require_loads(con)
    top_n = max(1, min(int(top_n), MAX_LOAD_SEGMENTS))
    return sql.fetch_df(con, "app/road_loads", {**_params(filters, level), "top_n": top_n})


@dataclass(frozen=True)
class RoadLoadTotals:
    """Trips between different origins and destinations for the filters, and the part on routed corridors."""

    corridor_trips: int
    routed_trips: int
    corridors: int
    routed_corridors: int

    @property
    def routed_share(self) -> float:
        """Share of the corridor trips carried by the road loads."""
        return self.routed_trips / self.corridor_trips if self.corridor_trips else 0.0


def road_load_totals(con: duckdb.DuckDBPyConnection, filters: Filters, level: str = "zone") -> RoadLoadTotals:
    """How many of the period's corridor trips the road loads carry."""
    _check_level(level)
    _require_loads(con)
    row = sql.fetch_one(con, "app/road_load_totals", _params(filters, level)) or {}
    return RoadLoadTotals(**{k: int(row.get(k) or 0) for k in ("corridor_trips", "routed_trips", "corridors",
                                                               "routed_corridors")})


def top_streets(con: duckdb.DuckDBPyConnection, filters: Filters, level: str = "zone", top_n: int = 20) -> pd.DataFrame:
    """The most loaded streets: rank, street, street_th, highway, peak_trips, trip_km, loaded_km."""
    _check_level(level)
    _require_loads(con)
    return sql.fetch_df(con, "app/road_top_streets", {**_params(filters, level), "top_n": max(1, int(top_n))})


__all__ = ["MAX_LOAD_SEGMENTS", "ROAD_LABEL", "turn_instruction", "NetworkInfo", "RoadLoadTotals", "RoadRouter", "network_info",
           "road_graph", "road_load_totals", "road_loads", "road_router", "top_streets"]
