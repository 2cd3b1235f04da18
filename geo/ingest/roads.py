"""Read the roads of an OpenStreetMap extract (``.osm.pbf`` or ``.osm`` XML) into a routable network.

One code path for both formats, as for places (``geo.ingest.osm``): pyosmium streams the file, keeps node
locations in its C++ index and hands Python only the ways tagged ``highway=*`` (a C++ key filter). The
network is built with NumPy on the flat arrays of the ways' node references:

* **roads**: ways whose ``highway`` value is a class of ``geo.vocab.ROAD_CLASSES`` (motorway ... service);
  footways, paths, tracks, steps, construction and the rest are left out and counted. ``area=yes`` ways are
  left out too, and ways closed to cars: the most specific of ``motorcar``, ``motor_vehicle``, ``vehicle``,
  ``access`` that is tagged decides (``access=no`` + ``motorcar=yes`` is open; ``access=yes`` +
  ``motor_vehicle=no`` is closed), and ``no``, ``private``, ``agricultural``, ``forestry``, ``emergency``,
  ``psv``, ``bus``, ``delivery`` close it (``destination``, ``permissive``, ``customers`` stay open).
* **nodes** at both ends of every way and wherever ways share a node (intersections), and halfway round a
  closed way (a ring road would otherwise be a loop from one node back to itself); each way is split
  there into segments, whose length is the haversine length of their node chain (``EARTH_RADIUS_M``).
* **direction**: ``oneway=yes|true|1`` forward only, ``-1|reverse`` backward only, ``no|false|0`` both;
  without the tag, ``junction=roundabout|circular`` and ``highway=motorway`` are one-way (OSM's implied
  one-way), everything else two-way. ``reversible``/``alternating`` roads are taken as two-way.
* **speed**: ``maxspeed`` (``50``, ``50 km/h``, ``30 mph``, ``TH:urban``; the first of ``50;30``;
  ``maxspeed:forward``/``:backward`` per direction) where it is tagged and understood, else the class's
  default (``ROAD_CLASSES``, listed in docs/roads.md); time = length ÷ speed (free flow, no traffic).
* **the largest strongly connected component** is kept (every kept node reaches every other along the
  one-way rules); what was dropped (islands, one-way dead ends, roads cut at the extract's edge) is
  counted and its biggest pieces are named by location.

A way whose nodes are partly missing (cut at the extract's edge) keeps its located stretches, with a
warning. Turn restrictions and barriers are not read.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium
import osmium.filter
import pandas as pd
import shapely

from geo.i18n import N_, _
from geo.ingest import osm
from geo.ingest.model import Problem
from geo.roadgraph import haversine_m, largest_strong_component
from geo.vocab import MAXSPEED_ZONES, ROAD_CLASSES

_YES = frozenset({"yes", "true", "1"})
_REVERSE = frozenset({"-1", "reverse"})
_NO = frozenset({"no", "false", "0", "reversible", "alternating"})
_BLOCKED = frozenset({"no", "private", "agricultural", "forestry", "emergency", "psv", "bus", "delivery"})
_ACCESS_KEYS = ("access", "vehicle", "motor_vehicle", "motorcar")     # general to specific
_MAXSPEED = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$", re.IGNORECASE)
_MPH = 1.609344
#: Speeds outside this range (km/h) are taken as typing errors and replaced by the class default.
_SPEED_RANGE = (3.0, 150.0)
#: Why a highway way was skipped when it is closed to cars (counted by reason; translated when shown).
NO_MOTOR_ACCESS = N_("no motor access")


def parse_maxspeed(raw: str | None) -> float | None:
    """km/h from an OSM ``maxspeed`` value, or ``None`` (absent, ``none``, ``signals``, not understood)."""
    if raw is None:
        return None
    value = raw.split(";")[0].strip()
    if value in MAXSPEED_ZONES:
        return MAXSPEED_ZONES[value]
    m = _MAXSPEED.match(value)
    if not m:
        return None
    speed = float(m.group(1))
    unit = (m.group(2) or "").lower()
    if unit == "mph":
        speed *= _MPH
    elif unit == "knots":
        speed *= 1.852
    return speed if _SPEED_RANGE[0] <= speed <= _SPEED_RANGE[1] else None


def directions(tags: dict[str, str]) -> tuple[bool, bool]:
    """(forward allowed, backward allowed) for a way's tags (see the module docstring)."""
    oneway = (tags.get("oneway") or "").strip().lower()
    if oneway in _YES:
        return True, False
    if oneway in _REVERSE:
        return False, True
    if oneway in _NO:
        return True, True
    if tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway":
        return True, False
    return True, True


def closed_to_cars(tags: dict[str, str]) -> bool:
    """Whether a way's access tags close it to cars: the most specific tagged key of ``motorcar``,
    ``motor_vehicle``, ``vehicle``, ``access`` decides (see the module docstring)."""
    for key in reversed(_ACCESS_KEYS):
        value = (tags.get(key) or "").strip().lower()
        if value:
            return value.split(";")[0].strip() in _BLOCKED
    return False


def road_name(tags: dict[str, str]) -> str:
    """What a road is called in the atlas: its name (English when tagged, else ``name``), else its ref."""
    for key in ("name:en", "name", "ref"):
        value = (tags.get(key) or "").strip()
        if value:
            return value[:200]
    return ""


@dataclass
class RoadNetwork:
    """A network ready to store: ``nodes`` (node_id, osm_node, lon, lat) and ``edges`` (edge_id, segment_id,
    forward, source, target, osm_way, highway, name, name_th, ref, oneway, maxspeed_kmh, speed_kmh, length_m,
    seconds, wkb), with what reading and building found."""

    nodes: pd.DataFrame
    edges: pd.DataFrame
    stats: dict[str, object] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Ways:
    """The kept ways' flat node arrays: way index, node ref and location per node, tags per way."""

    ways: list[dict[str, str]] = field(default_factory=list)
    way_ids: list[int] = field(default_factory=list)
    refs: list[int] = field(default_factory=list)
    lons: list[float] = field(default_factory=list)
    lats: list[float] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)    # a run is a stretch of a way whose nodes all have locations
    way_of: list[int] = field(default_factory=list)  # index into ``ways`` per node
    skipped: dict[str, int] = field(default_factory=dict)
    cut: list[int] = field(default_factory=list)
    bad_speed: dict[str, int] = field(default_factory=dict)
    highway_ways: int = 0


_TAGS = ("highway", "name", "name:en", "name:th", "ref", "oneway", "junction", "maxspeed", "maxspeed:forward",
         "maxspeed:backward", "area", *_ACCESS_KEYS)


def _read(path: Path, fmt: str) -> _Ways:
    out = _Ways()
    run = -1
    processor = (osmium.FileProcessor(osmium.io.File(str(path), fmt), osmium.osm.NODE | osmium.osm.WAY)
                 .with_locations()
                 .with_filter(osmium.filter.KeyFilter("highway")))
    for obj in osm._objects(processor):
        if not obj.is_way() or not obj.visible:
            continue
        try:
            tags = {k: obj.tags.get(k) for k in _TAGS if k in obj.tags}
        except UnicodeDecodeError as exc:
            raise osm._CorruptError(_("a tag of {object} is not valid UTF-8").format(object=f"way/{obj.id}")) from exc
        out.highway_ways += 1
        highway = tags.get("highway", "")
        why = None
        if highway not in ROAD_CLASSES:
            why = f"highway={highway[:40]}"
        elif tags.get("area") == "yes":
            why = "area=yes"
        elif closed_to_cars(tags):
            why = NO_MOTOR_ACCESS
        if why is not None:
            out.skipped[why] = out.skipped.get(why, 0) + 1
            continue
        index = len(out.ways)
        out.ways.append(tags)
        out.way_ids.append(obj.id)
        previous_ref = None
        missing = False
        run += 1
        for n in obj.nodes:
            if not n.location.valid():
                missing = True
                run += 1          # the next located node starts a new stretch
                previous_ref = None
                continue
            if n.ref == previous_ref:
                continue           # a node repeated in a row adds nothing
            out.refs.append(n.ref)
            out.lons.append(n.lon)
            out.lats.append(n.lat)
            out.runs.append(run)
            out.way_of.append(index)
            previous_ref = n.ref
        if missing:
            out.cut.append(obj.id)
    return out


#: maxspeed values that mean "no number here" (the class default applies, without a warning).
_NO_NUMBER = frozenset({"none", "signals", "variable", "walk", "unknown"})


def _way_speeds(ways: list[dict[str, str]], bad: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per way: tagged max speed (NaN when none), forward and backward driving speeds in km/h."""
    tagged = np.full(len(ways), np.nan)
    fwd = np.empty(len(ways))
    bwd = np.empty(len(ways))
    for i, tags in enumerate(ways):
        default = ROAD_CLASSES[tags["highway"]][0]
        values = {}
        for key in ("maxspeed", "maxspeed:forward", "maxspeed:backward"):
            raw = tags.get(key)
            values[key] = parse_maxspeed(raw)
            if raw is not None and values[key] is None and raw.strip().lower() not in _NO_NUMBER:
                bad[raw[:30]] = bad.get(raw[:30], 0) + 1
        both = values["maxspeed"]
        if both is not None:
            tagged[i] = both
        fwd[i] = values["maxspeed:forward"] or both or default
        bwd[i] = values["maxspeed:backward"] or both or default
    return tagged, fwd, bwd


def _pieces(dropped: np.ndarray, source: np.ndarray, target: np.ndarray, n: int) -> tuple[int, np.ndarray]:
    """Separate pieces of the dropped part (weakly connected among dropped nodes): (count, label per node)."""
    from scipy import sparse
    from scipy.sparse import csgraph

    both = dropped[source] & dropped[target]
    m = sparse.csr_matrix((np.ones(int(both.sum()), dtype=np.int8), (source[both], target[both])), shape=(n, n))
    _count, labels = csgraph.connected_components(m, directed=True, connection="weak")
    labels = np.where(dropped, labels, -1)
    return len(np.unique(labels[dropped])), labels


def build_network(ways: _Ways, name: str) -> RoadNetwork:
    """Split the ways into segments at shared nodes, give them directions, speeds and times, and keep the
    largest strongly connected component (see the module docstring)."""
    refs = np.asarray(ways.refs, dtype=np.int64)
    lon = np.asarray(ways.lons, dtype=np.float64)
    lat = np.asarray(ways.lats, dtype=np.float64)
    run = np.asarray(ways.runs, dtype=np.int64)
    way_of = np.asarray(ways.way_of, dtype=np.int64)
    starts = np.r_[True, run[1:] != run[:-1]] if len(run) else np.zeros(0, dtype=bool)
    ends = np.r_[run[1:] != run[:-1], True] if len(run) else np.zeros(0, dtype=bool)
    keep = ~(starts & ends)                                     # a stretch of one node is no road
    refs, lon, lat, run, way_of = refs[keep], lon[keep], lat[keep], run[keep], way_of[keep]
    starts, ends = starts[keep], ends[keep]
    if not len(refs):
        raise osm._refuse(name, _("no road has two nodes with a location in the extract"))
    _unique, inverse, counts = np.unique(refs, return_inverse=True, return_counts=True)
    is_node = (counts[inverse] >= 2) | starts | ends
    first_at, last_at = np.flatnonzero(starts), np.flatnonzero(ends)
    closed = (refs[first_at] == refs[last_at]) & (last_at - first_at >= 2)
    is_node[(first_at[closed] + last_at[closed]) // 2] = True   # a closed way alone would be a loop to itself
    at = np.flatnonzero(is_node)
    a, b = at[:-1], at[1:]
    same = run[a] == run[b]
    a, b = a[same], b[same]
    step = haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
    step[run[1:] != run[:-1]] = 0.0
    cum = np.r_[0.0, np.cumsum(step)]
    seg_len = cum[b] - cum[a]
    way = way_of[a]
    n_seg = len(a)
    npts = b - a + 1
    seg_idx = np.repeat(np.arange(n_seg), npts)
    offsets = np.r_[0, np.cumsum(npts)[:-1]]
    pos = a[seg_idx] + (np.arange(int(npts.sum())) - offsets[seg_idx])
    lines = shapely.linestrings(np.column_stack([lon[pos], lat[pos]]), indices=seg_idx)

    tags = ways.ways
    fwd_ok = np.array([directions(t)[0] for t in tags], dtype=bool)[way]
    bwd_ok = np.array([directions(t)[1] for t in tags], dtype=bool)[way]
    tagged, fwd_speed, bwd_speed = _way_speeds(tags, ways.bad_speed)
    highway = np.array([t["highway"] for t in tags], dtype=object)
    names = np.array([road_name(t) for t in tags], dtype=object)
    name_th = np.array([(t.get("name:th") or "").strip()[:200] for t in tags], dtype=object)
    ref = np.array([(t.get("ref") or "").strip()[:60] for t in tags], dtype=object)
    way_ids = np.asarray(ways.way_ids, dtype=np.int64)

    seg_f = np.flatnonzero(fwd_ok)
    seg_b = np.flatnonzero(bwd_ok)
    e_seg = np.r_[seg_f, seg_b]
    e_fwd = np.r_[np.ones(len(seg_f), dtype=bool), np.zeros(len(seg_b), dtype=bool)]
    e_src_ref = np.where(e_fwd, refs[a[e_seg]], refs[b[e_seg]])
    e_dst_ref = np.where(e_fwd, refs[b[e_seg]], refs[a[e_seg]])
    e_speed = np.where(e_fwd, fwd_speed[way[e_seg]], bwd_speed[way[e_seg]])

    node_refs, first = np.unique(np.r_[refs[a], refs[b]], return_index=True)
    node_pos = np.r_[a, b][first]
    src = np.searchsorted(node_refs, e_src_ref)
    dst = np.searchsorted(node_refs, e_dst_ref)
    n_nodes = len(node_refs)
    kept, components = largest_strong_component(n_nodes, src, dst)
    if kept.sum() < 2:
        raise osm._refuse(name, _("the {n} road segments form no connected network (no two places can be "
                                  "reached from each other); is this the right extract?").format(n=f"{n_seg:,}"))
    e_keep = kept[src] & kept[dst]
    dropped_nodes = ~kept
    pieces, labels = _pieces(dropped_nodes, src, dst, n_nodes)
    seg_kept = np.zeros(n_seg, dtype=bool)
    seg_kept[e_seg[e_keep]] = True
    km_total = float(seg_len.sum()) / 1000
    km_dropped = float(seg_len[~seg_kept].sum()) / 1000

    problems: list[Problem] = []
    if pieces:
        found, sizes = np.unique(labels[dropped_nodes], return_counts=True)
        for label in found[np.argsort(-sizes, kind="stable")][:5]:
            members = np.flatnonzero(labels == label)
            pos0 = node_pos[members[0]]
            where = _("near {lat}, {lon} ({way})").format(lat=f"{lat[pos0]:.5f}", lon=f"{lon[pos0]:.5f}",
                                                         way=f"way/{way_ids[way_of[pos0]]}")
            problems.append(Problem(None, "network", _("a piece of {n} node(s) {where} cannot be reached from the "
                                                       "rest of the network or cannot get back to it (an island, a "
                                                       "one-way dead end, or cut at the extract's edge); left "
                                                       "out").format(n=f"{len(members):,}", where=where), "warning"))
    if ways.cut:
        shown = ", ".join(f"way/{w}" for w in ways.cut[:3]) + (", ..." if len(ways.cut) > 3 else "")
        problems.append(Problem(None, "geometry", _("{n} road(s) have nodes outside the extract ({shown}); their "
                                                    "stretches inside it were kept").format(
            n=f"{len(ways.cut):,}", shown=shown), "warning"))
    for raw, n in sorted(ways.bad_speed.items(), key=lambda kv: -kv[1])[:5]:
        problems.append(Problem(None, "maxspeed", _("maxspeed={value} on {n} way(s) is not a speed the importer "
                                                    "reads; the class's default speed was used").format(
            value=repr(raw), n=f"{n:,}"), "warning"))

    # renumber what is kept: nodes by OSM id, segments in file order, edges by segment (forward first)
    node_id = np.cumsum(kept) - 1
    seg_id = np.cumsum(seg_kept) - 1
    ek = np.flatnonzero(e_keep)
    ek = ek[np.lexsort((~e_fwd[ek], seg_id[e_seg[ek]]))]
    es = e_seg[ek]
    geoms = lines[es]
    geoms = np.where(e_fwd[ek], geoms, shapely.reverse(geoms))
    length = seg_len[es]
    speed = e_speed[ek]
    nodes = pd.DataFrame({
        "node_id": np.arange(int(kept.sum()), dtype=np.int32),
        "osm_node": node_refs[kept],
        "lon": lon[node_pos[kept]],
        "lat": lat[node_pos[kept]],
    })
    edges = pd.DataFrame({
        "edge_id": np.arange(len(ek), dtype=np.int32),
        "segment_id": seg_id[es].astype(np.int32),
        "forward": e_fwd[ek],
        "source": node_id[src[ek]].astype(np.int32),
        "target": node_id[dst[ek]].astype(np.int32),
        "osm_way": way_ids[way[es]],
        "highway": highway[way[es]],
        "name": names[way[es]],
        "name_th": name_th[way[es]],
        "ref": ref[way[es]],
        "oneway": ~(fwd_ok[es] & bwd_ok[es]),
        "maxspeed_kmh": tagged[way[es]],
        "speed_kmh": speed,
        "length_m": length,
        "seconds": length / (speed / 3.6),
        "wkb": shapely.to_wkb(geoms),
    })
    stats = {
        "highway_ways": ways.highway_ways, "road_ways": len(tags), "left_out_ways": dict(sorted(ways.skipped.items())),
        "cut_ways": len(ways.cut), "segments": int(seg_kept.sum()), "nodes": len(nodes), "edges": len(edges),
        "km": round(km_total - km_dropped, 3), "one_way_segments": int((~(fwd_ok & bwd_ok))[seg_kept].sum()),
        "maxspeed_tagged_ways": int(np.isfinite(tagged).sum()), "components": components,
        "dropped_pieces": pieces, "dropped_nodes": int(dropped_nodes.sum()), "dropped_edges": int((~e_keep).sum()),
        "dropped_km": round(km_dropped, 3),
    }
    notes = [_("{n} of {total} highway ways are roads a car is routed on").format(
        n=f"{len(tags):,}", total=f"{ways.highway_ways:,}")]
    if ways.skipped:
        top = sorted(ways.skipped.items(), key=lambda kv: -kv[1])[:6]
        notes.append(_("left out: {ways}").format(
            ways=", ".join(f"{_(k) if k == NO_MOTOR_ACCESS else k} ({v:,})" for k, v in top)
            + (", ..." if len(ways.skipped) > 6 else "")))
    notes.append(_("network: {nodes} nodes, {edges} directed edges, {km} km of road ({one_way} one-way segments; "
                   "maxspeed tagged on {tagged} ways)").format(
        nodes=f"{len(nodes):,}", edges=f"{len(edges):,}", km=f"{stats['km']:,.1f}",
        one_way=f"{stats['one_way_segments']:,}", tagged=f"{stats['maxspeed_tagged_ways']:,}"))
    notes.append(_("largest strongly connected part kept; dropped {pieces} separate piece(s): {nodes} nodes, "
                   "{edges} edges, {km} km").format(
        pieces=f"{pieces:,}", nodes=f"{stats['dropped_nodes']:,}", edges=f"{stats['dropped_edges']:,}",
        km=f"{km_dropped:,.1f}")
                 if pieces else _("the whole network is strongly connected; nothing dropped"))
    return RoadNetwork(nodes, edges, stats, problems, notes)


def read_roads(path: Path, *, name: str | None = None, max_bytes: int = osm.MAX_OSM_BYTES) -> RoadNetwork:
    """Read the roads of an extract and build the network; ``ImportRefusedError`` when there is none."""
    started = time.perf_counter()
    path = Path(path)
    name = name or path.name
    fmt = osm.sniff(path, name, max_bytes)
    try:
        ways = _read(path, fmt)
    except osm._CorruptError as exc:
        raise osm._refuse(name, _("the file is truncated or damaged and was not imported (the OSM reader said: "
                                  "{error})").format(error=exc)) from exc
    if not ways.highway_ways:
        raise osm._refuse(name, _("no roads found: the extract has no way tagged highway=* (an extract of places "
                                  "only? import it with --layer places)"))
    if not ways.ways:
        top = ", ".join(f"{_(k) if k == NO_MOTOR_ACCESS else k} ({v:,})"
                        for k, v in sorted(ways.skipped.items(), key=lambda kv: -kv[1])[:5])
        raise osm._refuse(name, _("no roads a car is routed on: the {n} highway ways are {top}; roads are "
                                  "highway={classes} (docs/roads.md)").format(
            n=f"{ways.highway_ways:,}", top=top, classes=", ".join(ROAD_CLASSES)))
    network = build_network(ways, name)
    network.stats["read_seconds"] = round(time.perf_counter() - started, 3)
    return network


__all__ = ["RoadNetwork", "build_network", "closed_to_cars", "directions", "parse_maxspeed", "read_roads", "road_name"]
