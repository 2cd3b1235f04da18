"""Small OpenStreetMap road extracts written with osmium, and databases holding a road network."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import osmium
from osmium.osm.mutable import Node, Way

from bench.roads import write_grid
from geo.build import roads as stored
from geo.ingest import roads as reader
from geo.ingest.load import record_meta
from geo.vocab import EARTH_RADIUS_M

#: Degrees of latitude in 100 m.
LAT_100M = math.degrees(100 / EARTH_RADIUS_M)
#: Where the hand-made extracts lie (Chiang Mai old city).
LON0, LAT0 = 98.98, 18.79


def lon_m(metres: float, lat: float = LAT0) -> float:
    """Degrees of longitude for ``metres`` east at ``lat``."""
    return math.degrees(metres / EARTH_RADIUS_M) / math.cos(math.radians(lat))


def write_osm(path: Path, nodes: dict[int, tuple[float, float]], ways: list[tuple[int, list[int], dict[str, str]]]) -> Path:
    """Write nodes ``{id: (lon, lat)}`` and ways ``(id, node ids, tags)`` as .osm.pbf or .osm (by the name)."""
    path.unlink(missing_ok=True)
    writer = osmium.SimpleWriter(str(path))
    try:
        for node_id, loc in sorted(nodes.items()):
            writer.add_node(Node(id=node_id, location=loc))
        for way_id, refs, tags in ways:
            writer.add_way(Way(id=way_id, nodes=refs, tags=tags))
    finally:
        writer.close()
    return path


def block(metres: float = 200.0) -> dict[int, tuple[float, float]]:
    """Four corners of a square block ``metres`` wide at the old city: 1 SW, 2 SE, 3 NE, 4 NW."""
    dlon, dlat = lon_m(metres), LAT_100M * metres / 100
    return {1: (LON0, LAT0), 2: (LON0 + dlon, LAT0), 3: (LON0 + dlon, LAT0 + dlat), 4: (LON0, LAT0 + dlat)}


def one_way_block(path: Path) -> Path:
    """A square block whose south side (1 -> 2) is one-way eastbound; the other sides are two-way.

    Going west from 2 to 1 must go round the block (2 -> 3 -> 4 -> 1: 600 m instead of 200 m).
    """
    return write_osm(path, block(), [
        (10, [1, 2], {"highway": "residential", "oneway": "yes", "name": "South Soi"}),
        (11, [2, 3, 4, 1], {"highway": "residential", "name": "Ring Road"}),
    ])


def grid_network(con: duckdb.DuckDBPyConnection, tmp: Path, n: int = 50, spacing_m: float = 100.0) -> reader.RoadNetwork:
    """Write a grid extract around the old city, store it in ``con`` (with its meta row) and route the loads."""
    extract = tmp / "grid.osm.pbf"
    write_grid(extract, n, spacing_m=spacing_m)
    network = reader.read_roads(extract)
    stored.write_network(con, network.nodes, network.edges)
    record_meta(con, "roads", sources="test grid", params={"network_id": f"grid-{n}-{spacing_m}", **network.stats})
    stored.refresh_road_loads(con)
    return network
