"""A road network as arrays, and the arithmetic on it: strongly connected components, snapping a point to
the nearest road, fastest paths (one source to many targets, many pairs), path geometry and turn points.

Part of the core: no database, no lifecycle. The importer (``geo.ingest.roads``) builds the arrays from an
OpenStreetMap extract, the build (``geo.build.roads``) routes every corridor for the road loads, the
services (``geo.services.roads``) route itineraries; each reads the tables with its own query and hands the
frames to :meth:`RoadGraph.from_frames`.

Shortest paths are ``scipy.sparse.csgraph.dijkstra`` on a CSR matrix of travel seconds (one run per
origin gives the tree to every node). scipy holds the GIL while it runs, so a big batch of pairs splits
its trees over forked processes rather than threads (``PARALLEL_MIN_WORK``, ``WORKERS``), in blocks of
bounded memory (``TREE_BLOCK_CELLS``). Parallel edges keep the fastest; paths are read back from the
predecessor arrays, every path of a block at once, and the results do not depend on the split.

Snapping uses a local equirectangular projection (metres east and north of the network's mean latitude):
within the ~300 km of a province the nearest segment it finds is the nearest on the ground unless two
segments are within a few per cent of the same distance, and the distance reported is the haversine
distance to the point found. A snapped place joins the network part-way along a segment: the partial
edge's time is the edge's time times the fraction of its length travelled.
"""

from __future__ import annotations

import math
import multiprocessing
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.sparse import csgraph

from geo.vocab import EARTH_RADIUS_M

T = TypeVar("T")

#: Processes the shortest-path trees of a big batch are split over (the project's machines have two cores).
WORKERS = 2
#: Trees × nodes from which a batch is split over processes (below it, forking costs more than it saves:
#: 2M is ~40 trees on the 50k-node benchmark grid, ~0.2 s of Dijkstra).
PARALLEL_MIN_WORK = 2_000_000
#: Distances and predecessors held at once (trees × nodes; 12 bytes each): bounds a batch's memory.
TREE_BLOCK_CELLS = 4_000_000
#: Smallest edge time in seconds: csgraph reads a stored zero as "no edge".
MIN_SECONDS = 1e-3
#: A change of heading at least this large (degrees) at an intersection is a turn point.
TURN_DEGREES = 30.0


def haversine_m(lon1: np.ndarray | float, lat1: np.ndarray | float, lon2: np.ndarray | float,
                lat2: np.ndarray | float) -> np.ndarray:
    """Great-circle distances in metres between (lon, lat) points, element-wise."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def bearing_deg(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Initial compass bearing (0 = north, 90 = east) from the first point to the second."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlon = math.radians(lon2 - lon1)
    x = math.sin(dlon) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dlon)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def largest_strong_component(n_nodes: int, source: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, int]:
    """(mask of the nodes in the largest strongly connected component, number of components).

    Every node of the component can reach every other along directed edges; nodes outside it are islands
    (or one-way dead ends) a route could enter and never leave, or never reach.
    """
    if n_nodes == 0:
        return np.zeros(0, dtype=bool), 0
    m = sparse.csr_matrix((np.ones(len(source), dtype=np.int8), (source, target)), shape=(n_nodes, n_nodes))
    count, labels = csgraph.connected_components(m, directed=True, connection="strong")
    biggest = np.bincount(labels).argmax()
    return labels == biggest, int(count)


@dataclass(frozen=True)
class Snap:
    """Where a point joins the network: ``segment`` and ``fraction`` of its length from its drawn start (or a
    ``node`` for an anchor on a node, segment -1), the joining point and its distance from the given one."""

    segment: int
    fraction: float
    distance_m: float
    lon: float
    lat: float
    node: int = -1


@dataclass(frozen=True)
class Part:
    """A piece of a directed edge: from ``start`` to ``end``, fractions of its length in travel direction."""

    edge: int
    start: float
    end: float


@dataclass(frozen=True)
class Turn:
    """A turn point of a path: where, the heading change (degrees, + right, − left) and the road taken."""

    lon: float
    lat: float
    angle: float
    road: str
    instruction: str


@dataclass(frozen=True)
class RoadPath:
    """A fastest path between two snapped points: time, length, the directed edges used (partial first and
    last included), the line as (lat, lon) points and the turn points."""

    seconds: float
    length_m: float
    edges: np.ndarray                                    # directed edge ids in travel order
    path: tuple[tuple[float, float], ...] = ()
    turns: tuple[Turn, ...] = ()


@dataclass(eq=False)
class RoadGraph:
    """Nodes (lon/lat), directed edges (source, target, seconds, length, segment, forward, road name) and the
    segments' lines; the CSR matrix of fastest parallel edges and the snapping index are built on creation."""

    lon: np.ndarray
    lat: np.ndarray
    source: np.ndarray
    target: np.ndarray
    seconds: np.ndarray
    length_m: np.ndarray
    segment: np.ndarray
    forward: np.ndarray
    road: np.ndarray
    lines: np.ndarray                                  # shapely LineStrings (lon/lat) per segment, drawn direction
    _matrix: sparse.csr_matrix = field(init=False, repr=False)
    _pair_keys: np.ndarray = field(init=False, repr=False)
    _pair_edge: np.ndarray = field(init=False, repr=False)
    _edge_of: sparse.csr_array = field(init=False, repr=False)
    _sec_min: np.ndarray = field(init=False, repr=False)
    _seg_fwd: np.ndarray = field(init=False, repr=False)
    _seg_bwd: np.ndarray = field(init=False, repr=False)
    _lat0: float = field(init=False, repr=False)
    _proj: np.ndarray = field(init=False, repr=False)
    _tree: shapely.STRtree = field(init=False, repr=False)

    def __post_init__(self) -> None:
        n = len(self.lon)
        src, dst = self.source.astype(np.int64), self.target.astype(np.int64)
        sec = np.maximum(self.seconds.astype(np.float64), MIN_SECONDS)
        routable = np.flatnonzero(src != dst)                      # a loop never shortens a path
        order = routable[np.lexsort((sec[routable], dst[routable], src[routable]))]
        keys = src[order] * n + dst[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = keys[1:] != keys[:-1]                          # fastest of parallel edges
        keep = order[first]
        self._pair_keys = keys[first]
        self._pair_edge = keep
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src[keep], minlength=n), out=indptr[1:])
        self._matrix = sparse.csr_matrix((sec[keep], dst[keep].astype(np.int32), indptr), shape=(n, n))
        self._edge_of = sparse.csr_array((keep + 1, dst[keep].astype(np.int32), indptr), shape=(n, n))
        self._sec_min = np.maximum(self.seconds, MIN_SECONDS)
        n_seg = len(self.lines)
        self._seg_fwd = np.full(n_seg, -1, dtype=np.int64)
        self._seg_bwd = np.full(n_seg, -1, dtype=np.int64)
        fwd = self.forward.astype(bool)
        self._seg_fwd[self.segment[fwd]] = np.flatnonzero(fwd)
        self._seg_bwd[self.segment[~fwd]] = np.flatnonzero(~fwd)
        self._lat0 = float(np.mean(self.lat)) if n else 0.0
        self._proj = np.asarray(shapely.transform(self.lines, self._to_metres), dtype=object)
        self._tree = shapely.STRtree(self._proj)

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def from_frames(cls, nodes: pd.DataFrame, edges: pd.DataFrame) -> RoadGraph:
        """A graph from the ``road_nodes`` rows (node_id 0..n-1, lon, lat) and ``road_edges`` rows (edge_id
        0..m-1, segment_id, forward, source, target, seconds, length_m, road, wkb: the edge's line in travel
        direction)."""
        nodes = nodes.sort_values("node_id")
        edges = edges.sort_values("edge_id")
        seg = edges["segment_id"].to_numpy(np.int64)
        forward = edges["forward"].to_numpy(bool)
        n_seg = int(seg.max()) + 1 if len(seg) else 0
        lines = np.empty(n_seg, dtype=object)
        geoms = shapely.from_wkb(np.array([bytes(w) for w in edges["wkb"]], dtype=object))
        # a segment's drawn direction is its forward edge's; a one-way-against segment reverses its edge
        order = np.lexsort((~forward, seg))                      # per segment, the forward edge first
        first_idx = order[np.r_[True, seg[order][1:] != seg[order][:-1]]] if len(seg) else order
        chosen = geoms[first_idx]
        lines[seg[first_idx]] = np.where(forward[first_idx], chosen, shapely.reverse(chosen))
        return cls(
            lon=nodes["lon"].to_numpy(np.float64), lat=nodes["lat"].to_numpy(np.float64),
            source=edges["source"].to_numpy(np.int64), target=edges["target"].to_numpy(np.int64),
            seconds=edges["seconds"].to_numpy(np.float64), length_m=edges["length_m"].to_numpy(np.float64),
            segment=seg, forward=forward, road=edges["road"].fillna("").astype(str).to_numpy(object), lines=lines,
        )

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.lon)

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.source)

    # -- projection and snapping --------------------------------------------------------------------

    def _to_metres(self, coords: np.ndarray) -> np.ndarray:
        k = math.radians(1.0) * EARTH_RADIUS_M
        return np.column_stack([coords[:, 0] * k * math.cos(math.radians(self._lat0)), coords[:, 1] * k])

    def _to_degrees(self, coords: np.ndarray) -> np.ndarray:
        k = math.radians(1.0) * EARTH_RADIUS_M
        return np.column_stack([coords[:, 0] / (k * math.cos(math.radians(self._lat0))), coords[:, 1] / k])

    def snap(self, lon: float, lat: float, max_m: float) -> Snap | None:
        """The nearest point on any segment, or ``None`` when it is farther than ``max_m`` metres."""
        if not len(self._proj):
            return None
        xy = self._to_metres(np.array([[lon, lat]], dtype=np.float64))[0]
        point = shapely.Point(xy)
        found = self._tree.query_nearest(point, max_distance=max_m * 1.1 + 1.0, return_distance=False,
                                         all_matches=True)
        if not len(found):
            return None
        seg = int(min(found))  # equally near segments: the lowest id, so a result never depends on the tree
        line = self._proj[seg]
        fraction = float(shapely.line_locate_point(line, point, normalized=True)) if line.length > 0 else 0.0
        on = shapely.line_interpolate_point(line, fraction, normalized=True)
        slon, slat = self._to_degrees(np.array([[on.x, on.y]]))[0]
        distance = float(haversine_m(lon, lat, slon, slat))
        if distance > max_m:
            return None
        return Snap(seg, fraction, distance, float(slon), float(slat))

    def node_snap(self, node: int, lon: float, lat: float) -> Snap:
        """An anchor on ``node`` for the point (lon, lat) (zone anchors)."""
        return Snap(-1, 0.0, float(haversine_m(lon, lat, self.lon[node], self.lat[node])),
                    float(self.lon[node]), float(self.lat[node]), node=int(node))

    # -- where a snapped point leaves and joins the network -----------------------------------------

    def departures(self, s: Snap) -> list[tuple[int, float, Part | None]]:
        """(node, seconds to reach it, the partial edge travelled) for each way out of ``s``."""
        if s.node >= 0:
            return [(s.node, 0.0, None)]
        out = []
        f, b = self._seg_fwd[s.segment], self._seg_bwd[s.segment]
        if f >= 0:
            out.append((int(self.target[f]), (1 - s.fraction) * self._sec(f), Part(int(f), s.fraction, 1.0)))
        if b >= 0:
            out.append((int(self.target[b]), s.fraction * self._sec(b), Part(int(b), 1 - s.fraction, 1.0)))
        return out

    def arrivals(self, s: Snap) -> list[tuple[int, float, Part | None]]:
        """(node, seconds from it, the partial edge travelled) for each way into ``s``."""
        if s.node >= 0:
            return [(s.node, 0.0, None)]
        out = []
        f, b = self._seg_fwd[s.segment], self._seg_bwd[s.segment]
        if f >= 0:
            out.append((int(self.source[f]), s.fraction * self._sec(f), Part(int(f), 0.0, s.fraction)))
        if b >= 0:
            out.append((int(self.source[b]), (1 - s.fraction) * self._sec(b), Part(int(b), 0.0, 1 - s.fraction)))
        return out

    def _direct(self, a: Snap, b: Snap) -> tuple[float, Part] | None:
        """Travel from ``a`` to ``b`` along their shared segment without leaving it, when its direction allows."""
        if a.node >= 0 or b.node >= 0 or a.segment != b.segment:
            return None
        f, r = self._seg_fwd[a.segment], self._seg_bwd[a.segment]
        best: tuple[float, Part] | None = None
        if f >= 0 and b.fraction >= a.fraction:
            best = ((b.fraction - a.fraction) * self._sec(f), Part(int(f), a.fraction, b.fraction))
        if r >= 0 and b.fraction <= a.fraction:
            cost = (a.fraction - b.fraction) * self._sec(r)
            if best is None or cost < best[0]:
                best = (cost, Part(int(r), 1 - a.fraction, 1 - b.fraction))
        return best

    def _sec(self, edge: int) -> float:
        return max(float(self.seconds[edge]), MIN_SECONDS)

    # -- shortest paths -----------------------------------------------------------------------------

    def trees(self, sources: Sequence[int], matrix: sparse.csr_matrix | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Fastest-path trees from each node in ``sources``: (seconds, predecessors), one row per source
        (on ``matrix`` when given: the network with extra start nodes, see ``route_pairs``)."""
        matrix = self._matrix if matrix is None else matrix
        sources = np.asarray(sources, dtype=np.int64)
        if not len(sources):
            return np.zeros((0, matrix.shape[0])), np.zeros((0, matrix.shape[0]), dtype=np.int32)
        return csgraph.dijkstra(matrix, directed=True, indices=sources, return_predecessors=True)

    def edge_between(self, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """The fastest directed edge from ``u`` to ``v`` (element-wise; each pair must be joined by an edge)."""
        u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
        if not len(u):
            return np.zeros(0, dtype=np.int64)
        return np.asarray(self._edge_of[u, v], dtype=np.int64) - 1   # scipy's C++ lookup per pair

    def tree_paths(self, pred: np.ndarray, rows: np.ndarray, roots: np.ndarray,
                   targets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The edges from ``roots[k]`` to ``targets[k]`` along predecessor row ``rows[k]`` of ``pred``, every path
        walked back at once (one NumPy step per edge of the longest path, the edges looked up in one call):
        (all paths' edge ids end to end, each in travel order; edges per path).

        A node beyond the network's nodes is a start node of ``route_pairs``: the step from it is no edge.
        """
        width = pred.shape[1] if pred.ndim == 2 else 0
        flat = pred.reshape(-1)
        roots = np.asarray(roots, dtype=np.int64)
        here = np.asarray(targets, dtype=np.int64)
        n = len(here)
        active = np.flatnonzero(here != roots)
        here, base, roots = here[active], np.asarray(rows, dtype=np.int64)[active] * width, roots[active]
        walked: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []     # (path, node before, node) per step
        while len(active):
            back = flat[base + here].astype(np.int64)
            walked.append((active, back, here))
            go_on = (back != roots) & (back >= 0)      # negative: no tree reaches it (never asked for)
            active, here, base, roots = active[go_on], back[go_on], base[go_on], roots[go_on]
        counts = np.zeros(n, dtype=np.int64)
        if not walked:
            return np.zeros(0, dtype=np.int64), counts
        idx = np.concatenate([w[0] for w in walked])
        u = np.concatenate([w[1] for w in walked])
        v = np.concatenate([w[2] for w in walked])
        steps = np.repeat(np.arange(len(walked)), [len(w[0]) for w in walked])
        real = (u >= 0) & (u < self.n_nodes)              # the step from a start node is no edge
        idx, u, v, steps = idx[real], u[real], v[real], steps[real]
        counts = np.bincount(idx, minlength=n).astype(np.int64)
        bounds = np.cumsum(counts) - counts
        out = np.empty(len(idx), dtype=np.int64)
        out[bounds[idx] + counts[idx] - 1 - steps] = self.edge_between(u, v)   # walked back: reverse each path
        return out, counts

    def _solve(self, job: _Batch, share: np.ndarray) -> _Solved:
        """Trees from the roots in ``share`` (in blocks of ``TREE_BLOCK_CELLS``), the way each of their pairs
        joins its destination, the walked paths and their times and lengths."""
        in_share = np.flatnonzero(np.isin(job.pair_root, share))
        chosen = np.full(len(in_share), -1, dtype=np.int8)
        routed, flats, counts, secs, lens = [], [], [], [], []
        per_block = max(1, TREE_BLOCK_CELLS // max(1, job.matrix.shape[0]))
        for b0 in range(0, len(share), per_block):
            block = share[b0:b0 + per_block]
            at = np.flatnonzero(np.isin(job.pair_root[in_share], block))
            ks = in_share[at]
            dist, pred = self.trees(block, job.matrix)
            row = np.searchsorted(block, job.pair_root[ks])
            nodes, cost = job.arr_node[job.pj[ks]], job.arr_cost[job.pj[ks]]
            total = np.where(nodes >= 0, dist[row[:, None], np.maximum(nodes, 0)] + cost, np.inf)
            # the same choice as one pair at a time: the direct way first, then each arrival if strictly faster
            pick = np.full(len(ks), -1, dtype=np.int8)
            best = job.direct_s[ks].copy()
            has = np.isfinite(best)
            for a in range(total.shape[1]):
                ok = np.isfinite(total[:, a]) & (~has | (total[:, a] < best))
                pick[ok], best[ok] = a, total[ok, a]
                has |= ok
            chosen[at] = pick
            go = np.flatnonzero(pick >= 0)
            flat, count = self.tree_paths(pred, row[go], job.pair_root[ks[go]], nodes[go, pick[go]])
            bounds = np.r_[0, np.cumsum(count)]
            routed.append(ks[go])
            flats.append(flat)
            counts.append(count)
            # each path's own sum, as one pair at a time would add it (NumPy's pairwise order, bit for bit)
            sec, metres = np.empty(len(go)), np.empty(len(go))
            for k in range(len(go)):
                walked = flat[bounds[k]:bounds[k + 1]]
                sec[k], metres[k] = self._sec_min[walked].sum(), self.length_m[walked].sum()
            secs.append(sec)
            lens.append(metres)
        return _Solved(in_share, chosen, _cat(routed, np.int64), _cat(flats, np.int64), _cat(counts, np.int64),
                       _cat(secs, np.float64), _cat(lens, np.float64))

    def route_pairs(self, origins: Sequence[Snap], destinations: Sequence[Snap],
                    pairs: Sequence[tuple[int, int]], *, paths: bool = True,
                    workers: int = WORKERS) -> list[RoadPath | None]:
        """Fastest paths for each (origin index, destination index) pair; ``None`` where none exists.

        With ``paths=False`` only seconds, lengths and edges are computed; the line and turn points need
        ``paths=True``. From ``PARALLEL_MIN_WORK`` on, the trees are split over ``workers`` processes (forked:
        scipy's ``dijkstra`` holds the GIL, so threads would not run at once); the results do not depend on it.
        """
        if not pairs:
            return []
        deps = [self.departures(o) for o in origins]
        arrs = [self.arrivals(d) for d in destinations]
        # one tree per origin: an origin that leaves its segment both ways gets a start node of its own,
        # joined to both ends by its partial edges' times (half the Dijkstra runs of one tree per end)
        n = self.n_nodes
        root_of: dict[int, int] = {}
        extra: list[tuple[int, int, float]] = []
        for i in sorted({i for i, _ in pairs}):
            if len(deps[i]) == 1 and deps[i][0][1] == 0.0:
                root_of[i] = deps[i][0][0]
            else:
                root_of[i] = n + (extra[-1][0] - n + 1 if extra else 0)
                extra += [(root_of[i], node, max(cost, MIN_SECONDS)) for node, cost, _ in deps[i]]
        matrix = self._matrix
        if extra:
            k = max(r for r, _, _ in extra) - n + 1
            src = np.array([r for r, _, _ in extra]) - n
            counts = np.bincount(src, minlength=k)
            order = np.argsort(src, kind="stable")
            indptr = np.r_[self._matrix.indptr, self._matrix.indptr[-1] + np.cumsum(counts)]
            indices = np.r_[self._matrix.indices, np.array([d for _, d, _ in extra])[order]].astype(np.int32)
            data = np.r_[self._matrix.data, np.array([w for _, _, w in extra])[order]]
            matrix = sparse.csr_matrix((data, indices, indptr), shape=(n + k, n + k))
        pi = np.array([i for i, _ in pairs], dtype=np.int64)
        pj = np.array([j for _, j in pairs], dtype=np.int64)
        dep = _ends(deps, self.length_m)
        arr = _ends(arrs, self.length_m)
        direct: dict[int, tuple[float, Part]] = {}
        seg_o = np.array([o.segment if o.node < 0 else -1 for o in origins], dtype=np.int64)
        seg_d = np.array([d.segment if d.node < 0 else -2 for d in destinations], dtype=np.int64)
        for k in np.flatnonzero(seg_o[pi] == seg_d[pj]):
            found = self._direct(origins[pi[k]], destinations[pj[k]])
            if found is not None:
                direct[int(k)] = found
        direct_s = np.full(len(pairs), np.inf)
        for k, (cost, _) in direct.items():
            direct_s[k] = cost
        root_by_origin = np.full(len(origins), -1, dtype=np.int64)
        for i, r in root_of.items():
            root_by_origin[i] = r
        job = _Batch(matrix, pj, root_by_origin[pi], arr.node, arr.cost, direct_s)
        roots = np.array(sorted(set(root_of.values())), dtype=np.int64)
        shares = workers if workers > 1 and len(roots) >= 2 and len(roots) * matrix.shape[0] >= PARALLEL_MIN_WORK else 1
        solved = _in_processes(lambda s: self._solve(job, roots[s::shares]), shares)

        # gather: which arrival each pair took, its walked edges, their seconds and length
        chosen = np.full(len(pairs), -1, dtype=np.int64)
        start = np.zeros(len(pairs), dtype=np.int64)
        count = np.zeros(len(pairs), dtype=np.int64)
        mid_s = np.zeros(len(pairs))
        mid_m = np.zeros(len(pairs))
        offset = 0
        for part in solved:
            chosen[part.pairs] = part.chosen
            count[part.routed] = part.counts
            start[part.routed] = offset + np.cumsum(part.counts) - part.counts
            mid_s[part.routed], mid_m[part.routed] = part.seconds, part.length
            offset += len(part.flat)
        flat = np.concatenate([part.flat for part in solved]) if solved else np.zeros(0, dtype=np.int64)
        go = np.flatnonzero(chosen >= 0)
        gi, gj, ga = pi[go], pj[go], chosen[go]
        target = arr.node[gj, ga]
        first = target.copy()
        walked = count[go] > 0
        first[walked] = self.source[flat[start[go][walked]]]
        # which way out of its segment the path took: the first departure leading to its first node
        d0 = dep.node[gi, 0] == first
        d1 = ~d0 & (dep.node[gi, 1] == first)
        da = np.where(d0, 0, np.where(d1, 1, -1))
        dk = np.maximum(da, 0)
        cost_a = np.where(da >= 0, dep.cost[gi, dk], 0.0)
        has_a = (da >= 0) & dep.has_part[gi, dk]
        has_b = arr.has_part[gj, ga]
        seconds = cost_a + mid_s[go] + arr.cost[gj, ga]
        length = mid_m[go] + (np.where(has_a, dep.part_m[gi, dk], 0.0) + np.where(has_b, arr.part_m[gj, ga], 0.0))
        head = has_a & ((dep.part_end[gi, dk] > dep.part_start[gi, dk]) | ~has_b)
        tail = has_b & (arr.part_end[gj, ga] > arr.part_start[gj, ga])
        # each path's edges: the partial first edge, the walked ones, the partial last edge, end to end
        size = head.astype(np.int64) + count[go] + tail.astype(np.int64)
        out_start = np.r_[0, np.cumsum(size)[:-1]]
        edges_all = np.empty(int(size.sum()), dtype=np.int64)
        edges_all[out_start[head]] = dep.edge[gi[head], dk[head]]
        edges_all[(out_start + size - 1)[tail]] = arr.edge[gj[tail], ga[tail]]
        if len(flat):
            which = np.repeat(np.arange(len(go)), count[go])
            inner = np.arange(len(which)) - np.repeat(np.r_[0, np.cumsum(count[go])[:-1]], count[go])
            edges_all[out_start[which] + head[which] + inner] = flat[start[go][which] + inner]

        out: list[RoadPath | None] = [None] * len(pairs)
        for k, (cost, part) in direct.items():
            if chosen[k] < 0:
                edges = np.array([part.edge], dtype=np.int64)
                length_k = float(self.length_m[edges[:0]].sum()) + (part.end - part.start) * self.length_m[part.edge]
                if paths:
                    line = self._line([part], origins[pi[k]], destinations[pj[k]])
                    out[k] = RoadPath(cost, length_k, edges, line, self._turns([part]))
                else:
                    out[k] = RoadPath(cost, length_k, edges)
        bounds = np.r_[out_start, len(edges_all)]
        for g, k in enumerate(go.tolist()):
            edges = edges_all[bounds[g]:bounds[g + 1]]
            if not paths:
                out[k] = RoadPath(float(seconds[g]), float(length[g]), edges)
                continue
            part_a = deps[gi[g]][dk[g]][2] if has_a[g] else None
            part_b = arrs[gj[g]][ga[g]][2]
            middle = flat[start[k]:start[k] + count[k]]
            parts = ([part_a] if part_a is not None else []) + [Part(int(e), 0.0, 1.0) for e in middle] + \
                ([part_b] if part_b is not None else [])
            line = self._line(parts, origins[pi[k]], destinations[pj[k]])
            out[k] = RoadPath(float(seconds[g]), float(length[g]), edges, line, self._turns(parts))
        return out

    def route(self, a: Snap, b: Snap) -> RoadPath | None:
        """The fastest path from ``a`` to ``b`` with its line and turn points, or ``None``."""
        return self.route_pairs([a], [b], [(0, 0)])[0]

    def matrix(self, snaps: Sequence[Snap]) -> np.ndarray:
        """Seconds between every ordered pair of snapped points (inf where no path; 0 on the diagonal)."""
        n = len(snaps)
        pairs = [(i, j) for i in range(n) for j in range(n) if i != j]
        out = np.zeros((n, n))
        for (i, j), p in zip(pairs, self.route_pairs(snaps, snaps, pairs, paths=False), strict=True):
            out[i, j] = np.inf if p is None else p.seconds
        return out

    # -- geometry -----------------------------------------------------------------------------------

    def edge_coords(self, edge: int) -> np.ndarray:
        """The edge's (lon, lat) points in travel direction."""
        coords = shapely.get_coordinates(self.lines[self.segment[edge]])
        return coords if self.forward[edge] else coords[::-1]

    def _part_coords(self, p: Part) -> np.ndarray:
        coords = self.edge_coords(p.edge)
        if p.start <= 0.0 and p.end >= 1.0:
            return coords
        xy = self._to_metres(coords)
        cum = np.r_[0.0, np.cumsum(np.hypot(*np.diff(xy, axis=0).T))]
        total = cum[-1]
        if total <= 0:
            return coords[:1]
        a, b = p.start * total, p.end * total
        inside = coords[(cum > a) & (cum < b)]
        return np.vstack([self._along(coords, cum, a), inside, self._along(coords, cum, b)])

    @staticmethod
    def _along(coords: np.ndarray, cum: np.ndarray, at: float) -> np.ndarray:
        return np.array([[np.interp(at, cum, coords[:, 0]), np.interp(at, cum, coords[:, 1])]])

    def _line(self, parts: list[Part], a: Snap, b: Snap) -> tuple[tuple[float, float], ...]:
        pieces = [np.array([[a.lon, a.lat]])] + [self._part_coords(p) for p in parts] + [np.array([[b.lon, b.lat]])]
        coords = np.round(np.vstack(pieces), 7)
        keep = np.r_[True, np.any(np.diff(coords, axis=0) != 0, axis=1)]
        return tuple((float(lat), float(lon)) for lon, lat in coords[keep])

    def _turns(self, parts: list[Part]) -> tuple[Turn, ...]:
        turns = []
        for before, after in zip(parts, parts[1:], strict=False):
            c1, c2 = self._part_coords(before), self._part_coords(after)
            if len(c1) < 2 or len(c2) < 2:
                continue
            h1 = bearing_deg(*c1[-2], *c1[-1])
            h2 = bearing_deg(*c2[0], *c2[1])
            angle = (h2 - h1 + 540.0) % 360.0 - 180.0
            road_in, road_out = str(self.road[before.edge]), str(self.road[after.edge])
            renamed = road_out != road_in and bool(road_out)
            if abs(angle) < TURN_DEGREES and not renamed:
                continue
            turns.append(Turn(float(c2[0][0]), float(c2[0][1]), round(angle, 1), road_out,
                              turn_instruction(angle, road_out)))
        return tuple(turns)



@dataclass(frozen=True)
class _Ends:
    """Up to two ways out of (or into) each snapped point as arrays, -1 / inf where there is none."""

    node: np.ndarray
    cost: np.ndarray
    has_part: np.ndarray
    edge: np.ndarray
    part_start: np.ndarray
    part_end: np.ndarray
    part_m: np.ndarray


def _ends(ways: list[list[tuple[int, float, Part | None]]], length_m: np.ndarray) -> _Ends:
    shape = (len(ways), 2)
    node, edge = np.full(shape, -1, dtype=np.int64), np.full(shape, -1, dtype=np.int64)
    cost, part_m = np.full(shape, np.inf), np.zeros(shape)
    start, end = np.zeros(shape), np.zeros(shape)
    has = np.zeros(shape, dtype=bool)
    for i, options in enumerate(ways):
        for a, (at, seconds, part) in enumerate(options):
            node[i, a], cost[i, a] = at, seconds
            if part is not None:
                has[i, a], edge[i, a], start[i, a], end[i, a] = True, part.edge, part.start, part.end
                part_m[i, a] = (part.end - part.start) * length_m[part.edge]
    return _Ends(node, cost, has, edge, start, end, part_m)


@dataclass(frozen=True)
class _Batch:
    """What every share of a ``route_pairs`` call needs: the matrix with its start nodes, each pair's
    destination and root, the destinations' arrivals and each pair's direct time (inf: none)."""

    matrix: sparse.csr_matrix
    pj: np.ndarray
    pair_root: np.ndarray
    arr_node: np.ndarray
    arr_cost: np.ndarray
    direct_s: np.ndarray


@dataclass(frozen=True)
class _Solved:
    """One share's answer: its pairs and the arrival each took (-1: none or direct); for the pairs routed
    through the network, their walked edges end to end, edges per pair, seconds and metres of those edges."""

    pairs: np.ndarray
    chosen: np.ndarray
    routed: np.ndarray
    flat: np.ndarray
    counts: np.ndarray
    seconds: np.ndarray
    length: np.ndarray


def _cat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)


_JOB: Callable[[int], Any] | None = None


def _take_job(job: Callable[[int], Any]) -> None:
    global _JOB
    _JOB = job


def _run_job(share: int) -> Any:
    assert _JOB is not None
    return _JOB(share)


def _may_fork() -> bool:
    """Fork only from a process whose only Python thread is the caller (the CLI, the build, the benchmark).

    A served app (Streamlit: a server thread, script threads, file watchers) refreshes road loads from the Data
    page's import; forking a process with other Python threads running can copy a lock another thread holds, so
    there the shares run in this process, one after another (the same result, one core).
    """
    return threading.active_count() == 1


def _in_processes(job: Callable[[int], T], shares: int) -> list[T]:
    """``[job(0), ..., job(shares - 1)]``: the first in this process while forked processes run the others.

    Where processes cannot be forked (not POSIX), or a forked process dies, the shares run here in turn.
    """
    if shares <= 1 or "fork" not in multiprocessing.get_all_start_methods() or not _may_fork():
        return [job(s) for s in range(shares)]
    context = multiprocessing.get_context("fork")
    try:
        with ProcessPoolExecutor(shares - 1, mp_context=context, initializer=_take_job, initargs=(job,)) as pool:
            futures = [pool.submit(_run_job, s) for s in range(1, shares)]
            here = job(0)
            return [here, *(f.result() for f in futures)]
    except BrokenProcessPool:
        return [job(s) for s in range(shares)]


def turn_instruction(angle: float, road: str) -> str:
    """"Turn left onto Huay Kaew Rd", "Continue onto ...", "Make a U-turn" from a heading change."""
    from geo.i18n import _

    a = abs(angle)
    if a < TURN_DEGREES:
        return _("Continue onto {road}").format(road=road) if road else _("Continue")
    if a >= 150:
        return _("Make a U-turn onto {road}").format(road=road) if road else _("Make a U-turn")
    if a >= 120:
        if angle > 0:
            return _("Turn sharp right onto {road}").format(road=road) if road else _("Turn sharp right")
        return _("Turn sharp left onto {road}").format(road=road) if road else _("Turn sharp left")
    if angle > 0:
        return _("Turn right onto {road}").format(road=road) if road else _("Turn right")
    return _("Turn left onto {road}").format(road=road) if road else _("Turn left")


__all__ = ["MIN_SECONDS", "TURN_DEGREES", "WORKERS", "Part", "RoadGraph", "RoadPath", "Snap", "Turn",
           "bearing_deg", "haversine_m", "largest_strong_component", "turn_instruction"]
