"""The routing code as measured before the fast path (``geo.roadgraph`` at commit 8d5dc82, 9,981 paths/s on an
idle 2-core machine): the same-run baseline of ``geo bench --roads`` and the reference the fast path is tested
against (``tests/test_roadgraph.py``). Not used by the app.

The functions are ``RoadGraph``'s methods of that commit, unchanged but for taking the graph as ``g``: one
Dijkstra tree per origin (scipy's ``dijkstra``, chunks on threads; it holds the GIL, so the threads do not
overlap), every path walked back in one vectorised pass with a binary search per edge, then Python per pair.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from geo.roadgraph import MIN_SECONDS, Part, RoadGraph, RoadPath, Snap

WORKERS = 2


def trees(g: RoadGraph, sources: Sequence[int], workers: int = WORKERS,
          matrix: sparse.csr_matrix | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fastest-path trees from each node in ``sources``: (seconds, predecessors), one row per source
    (on ``matrix`` when given: the network with extra start nodes, see ``route_pairs``)."""
    matrix = g._matrix if matrix is None else matrix
    sources = np.asarray(sources, dtype=np.int64)
    if not len(sources):
        return np.zeros((0, matrix.shape[0])), np.zeros((0, matrix.shape[0]), dtype=np.int32)
    chunks = [c for c in np.array_split(sources, max(1, min(workers, len(sources)))) if len(c)]

    def run(chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return csgraph.dijkstra(matrix, directed=True, indices=chunk, return_predecessors=True)

    if len(chunks) == 1:
        results = [run(chunks[0])]
    else:
        with ThreadPoolExecutor(len(chunks)) as pool:
            results = list(pool.map(run, chunks))
    return np.vstack([r[0] for r in results]), np.vstack([r[1] for r in results])


def edge_between(g: RoadGraph, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The fastest directed edge from ``u`` to ``v`` (element-wise)."""
    keys = u.astype(np.int64) * g.n_nodes + v.astype(np.int64)
    return g._pair_edge[np.searchsorted(g._pair_keys, keys)]


def tree_paths(g: RoadGraph, pred: np.ndarray, rows: np.ndarray, roots: np.ndarray, targets: np.ndarray) -> list[np.ndarray]:
    """Edge ids from ``roots[k]`` to ``targets[k]`` along predecessor row ``rows[k]`` of ``pred``, every path
    walked back at once (one NumPy step per edge of the longest path).

    A root beyond the network's nodes is a start node of ``route_pairs``: its first step is no edge.
    """
    rows = np.asarray(rows, dtype=np.int64)
    roots = np.asarray(roots, dtype=np.int64)
    cur = np.asarray(targets, dtype=np.int64).copy()
    idx_parts, edge_parts, step_parts = [], [], []
    active = np.flatnonzero((cur != roots) & (pred[rows, cur] >= 0))
    step = 0
    while len(active):
        here = cur[active]
        back = pred[rows[active], here].astype(np.int64)
        real = back < g.n_nodes
        idx_parts.append(active[real])
        edge_parts.append(edge_between(g, back[real], here[real]))
        step_parts.append(np.full(int(real.sum()), step))
        cur[active] = back
        keep = back != roots[active]
        keep[keep] = pred[rows[active[keep]], back[keep]] >= 0
        active = active[keep]
        step += 1
    n = len(cur)
    if not idx_parts:
        return [np.zeros(0, dtype=np.int64) for _ in range(n)]
    idx, edges, steps = np.concatenate(idx_parts), np.concatenate(edge_parts), np.concatenate(step_parts)
    counts = np.bincount(idx, minlength=n)
    bounds = np.r_[0, np.cumsum(counts)]
    out = np.empty(len(edges), dtype=np.int64)
    out[bounds[idx] + counts[idx] - 1 - steps] = edges     # walked back from the target: reverse each path
    return [out[bounds[i]:bounds[i + 1]] for i in range(n)]


def route_pairs(g: RoadGraph, origins: Sequence[Snap], destinations: Sequence[Snap],
                pairs: Sequence[tuple[int, int]], *, paths: bool = True,
                workers: int = WORKERS) -> list[RoadPath | None]:
    """Fastest paths for each (origin index, destination index) pair; ``None`` where none exists.

    With ``paths=False`` only seconds and lengths are computed (the edges are still read back, for
    the length); the line and turn points need ``paths=True``.
    """
    deps = [g.departures(o) for o in origins]
    arrs = [g.arrivals(d) for d in destinations]
    # one tree per origin: an origin that leaves its segment both ways gets a start node of its own,
    # joined to both ends by its partial edges' times (half the Dijkstra runs of one tree per end)
    n = g.n_nodes
    root_of: dict[int, int] = {}
    extra: list[tuple[int, int, float]] = []
    for i in sorted({i for i, _ in pairs}):
        if len(deps[i]) == 1 and deps[i][0][1] == 0.0:
            root_of[i] = deps[i][0][0]
        else:
            root_of[i] = n + (extra[-1][0] - n + 1 if extra else 0)
            extra += [(root_of[i], node, max(cost, MIN_SECONDS)) for node, cost, _ in deps[i]]
    matrix = g._matrix
    if extra:
        k = max(r for r, _, _ in extra) - n + 1
        src = np.array([r for r, _, _ in extra]) - n
        counts = np.bincount(src, minlength=k)
        order = np.argsort(src, kind="stable")
        indptr = np.r_[g._matrix.indptr, g._matrix.indptr[-1] + np.cumsum(counts)]
        indices = np.r_[g._matrix.indices, np.array([d for _, d, _ in extra])[order]].astype(np.int32)
        data = np.r_[g._matrix.data, np.array([w for _, _, w in extra])[order]]
        matrix = sparse.csr_matrix((data, indices, indptr), shape=(n + k, n + k))
    roots = sorted(set(root_of.values()))
    row = {node: r for r, node in enumerate(roots)}
    dist, pred = trees(g, roots, workers, matrix)
    best: list[tuple[float, int, int, Part | None, Part | None] | None] = []
    for i, j in pairs:
        choice = None
        direct = g._direct(origins[i], destinations[j])
        if direct is not None:
            choice = (direct[0], -1, -1, direct[1], None)
        d = dist[row[root_of[i]]]
        for node_b, cost_b, part_b in arrs[j]:
            total = d[node_b] + cost_b
            if np.isfinite(total) and (choice is None or total < choice[0]):
                choice = (float(total), root_of[i], node_b, None, part_b)
        best.append(choice)
    edges_of: dict[int, list[np.ndarray]] = {}
    ks = [k for k, choice in enumerate(best) if choice is not None and choice[1] >= 0]
    if ks:
        walked = tree_paths(g, pred, np.array([row[best[k][1]] for k in ks]), np.array([best[k][1] for k in ks]),
                                 np.array([best[k][2] for k in ks]))
        for k, e in zip(ks, walked, strict=True):
            edges_of[k] = [e]
    for k, choice in enumerate(best):   # which way out of its segment the path took, and its exact time
        if choice is None or choice[1] < 0:
            continue
        middle = edges_of[k][0]
        first = int(g.source[middle[0]]) if len(middle) else choice[2]
        i = pairs[k][0]
        cost_a, part_a = next(((c, p) for node, c, p in deps[i] if node == first), (0.0, None))
        cost_b = next(c for node, c, p in arrs[pairs[k][1]] if node == choice[2] and p is choice[4])
        seconds = cost_a + float(np.maximum(g.seconds[middle], MIN_SECONDS).sum()) + cost_b
        best[k] = (seconds, choice[1], choice[2], part_a, choice[4])
    out: list[RoadPath | None] = []
    empty = np.zeros(0, dtype=np.int64)
    for k, choice in enumerate(best):
        if choice is None:
            out.append(None)
            continue
        seconds, _, _, part_a, part_b = choice
        middle = edges_of.get(k, [empty])[0]
        ends = [p for p in (part_a, part_b) if p is not None]
        length = float(g.length_m[middle].sum()) + sum((p.end - p.start) * g.length_m[p.edge] for p in ends)
        head = [part_a.edge] if part_a is not None and (part_a.end > part_a.start or part_b is None) else []
        tail = [part_b.edge] if part_b is not None and part_b.end > part_b.start else []
        edges = np.concatenate([np.asarray(head, dtype=np.int64), middle, np.asarray(tail, dtype=np.int64)]) \
            if head or tail else middle
        if paths:
            parts = ([part_a] if part_a is not None else []) + [Part(int(e), 0.0, 1.0) for e in middle] + \
                ([part_b] if part_b is not None else [])
            line = g._line(parts, origins[pairs[k][0]], destinations[pairs[k][1]])
            out.append(RoadPath(seconds, length, edges, line, g._turns(parts)))
        else:
            out.append(RoadPath(seconds, length, edges))
    return out

