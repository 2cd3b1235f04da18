"""Routing on a road network: one-way streets honoured, snapping distances and limits, paths and turn points,
the itinerary services and the route CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from geo.__main__ import main
from geo.build.run import BuildOptions, build_database
from geo.db import connect
from geo.ingest import roads as reader
from geo.ingest.run import ImportOptions, import_file
from geo.roadgraph import RoadGraph, haversine_m, turn_instruction
from geo.services import movement
from geo.services import roads as road_service
from tests.flow_fixtures import TINY_EXTRA_PLACES
from tests.road_fixtures import LAT0, LAT_100M, LON0, block, lon_m, one_way_block, write_osm
from tests.seed_fixtures import PLACES, write_seed


def _graph(path: Path) -> RoadGraph:
    network = reader.read_roads(path)
    return RoadGraph.from_frames(network.nodes, network.edges.rename(columns={"name": "road"}))


def test_one_way_street_is_honoured_both_ways(tmp_path: Path) -> None:
    g = _graph(one_way_block(tmp_path / "block.osm.pbf"))
    west = g.snap(LON0 + lon_m(20), LAT0 - 5 * LAT_100M / 100, 500)    # on the one-way south side, 20 m east of 1
    east = g.snap(LON0 + lon_m(180), LAT0 - 5 * LAT_100M / 100, 500)   # 180 m east of 1
    assert west is not None and east is not None
    assert west.distance_m == pytest.approx(5.0, abs=0.05) and east.distance_m == pytest.approx(5.0, abs=0.05)
    with_flow = g.route(west, east)
    against = g.route(east, west)
    assert with_flow.length_m == pytest.approx(160.0, rel=1e-3)            # straight along the one-way street
    assert against.length_m == pytest.approx(20 + 600 + 20, rel=1e-3)      # round the block
    assert against.seconds > 3 * with_flow.seconds
    # the line starts and ends at the snapped points and goes round through the north corners
    assert against.path[0] == pytest.approx((east.lat, east.lon)) and against.path[-1] == pytest.approx((west.lat, west.lon))
    lats = [p[0] for p in against.path]
    assert max(lats) == pytest.approx(LAT0 + 2 * LAT_100M, abs=1e-7)


def test_snap_distance_and_limit(tmp_path: Path) -> None:
    g = _graph(one_way_block(tmp_path / "block.osm.pbf"))
    # 300 m south of the south side, halfway along it
    s = g.snap(LON0 + lon_m(100), LAT0 - 3 * LAT_100M, 500)
    assert s is not None and s.distance_m == pytest.approx(300.0, rel=2e-3) and s.fraction == pytest.approx(0.5, abs=1e-3)
    assert g.snap(LON0 + lon_m(100), LAT0 - 6 * LAT_100M, 500) is None   # 600 m: beyond the limit
    assert g.snap(LON0 + lon_m(100), LAT0 - 6 * LAT_100M, 700).distance_m == pytest.approx(600.0, rel=2e-3)


def test_turn_points_and_instructions(tmp_path: Path) -> None:
    g = _graph(one_way_block(tmp_path / "block.osm.pbf"))
    east = g.snap(LON0 + lon_m(180), LAT0, 50)
    west = g.snap(LON0 + lon_m(20), LAT0, 50)
    path = g.route(east, west)   # east along... no: against the one-way, so north, west, south round the block
    assert [t.instruction.split(" onto")[0] for t in path.turns][:1] == ["Turn left"]
    assert all(abs(t.angle) >= 30 or t.road for t in path.turns)
    assert turn_instruction(95, "Huay Kaew Rd") == "Turn right onto Huay Kaew Rd"
    assert turn_instruction(-130, "") == "Turn sharp left"
    assert turn_instruction(170, "X") == "Make a U-turn onto X"
    assert turn_instruction(5, "Nimman") == "Continue onto Nimman"


def test_matrix_and_many_pairs_agree_with_single_routes(tmp_path: Path) -> None:
    from bench.roads import write_grid

    write_grid(tmp_path / "g.osm.pbf", 12, spacing_m=100)
    g = _graph(tmp_path / "g.osm.pbf")
    rng = np.random.default_rng(3)
    snaps = [g.snap(float(rng.uniform(g.lon.min(), g.lon.max())), float(rng.uniform(g.lat.min(), g.lat.max())), 500)
             for _ in range(6)]
    m = g.matrix(snaps)
    for i in range(6):
        for j in range(6):
            if i != j:
                single = g.route(snaps[i], snaps[j])
                assert m[i, j] == pytest.approx(single.seconds, rel=1e-9)
                # the path's length is the sum of its pieces, never shorter than the straight line
                assert single.length_m >= haversine_m(snaps[i].lon, snaps[i].lat, snaps[j].lon, snaps[j].lat) - 1e-6



def _random_streets(path: Path, seed: int) -> Path:
    """A jittered 12 x 12 lattice of nodes joined by 260 random ways of 1-5 blocks: random classes, speeds and
    one-way tags (``yes`` and ``-1``), ways that overlap (parallel edges), turn back on themselves or close."""
    rng = np.random.default_rng(seed)
    side = 12
    nodes = {r * side + c + 1: (LON0 + lon_m(c * 90 + rng.uniform(-25, 25)), LAT0 + LAT_100M * (r * 90 + rng.uniform(-25, 25)) / 100)
             for r in range(side) for c in range(side)}
    ways = []
    for w in range(260):
        r, c = int(rng.integers(side)), int(rng.integers(side))
        refs = [r * side + c + 1]
        for _ in range(int(rng.integers(1, 6))):
            dr, dc = [(0, 1), (1, 0), (0, -1), (-1, 0)][int(rng.integers(4))]
            r, c = min(max(r + dr, 0), side - 1), min(max(c + dc, 0), side - 1)
            refs.append(r * side + c + 1)
        tags = {"highway": str(rng.choice(["primary", "residential", "service", "tertiary_link"])), "name": f"Way {w}"}
        oneway = str(rng.choice(["", "", "", "yes", "-1"]))
        if oneway:
            tags["oneway"] = oneway
        if rng.random() < 0.3:
            tags["maxspeed"] = str(rng.choice(["20", "45", "30 mph"]))
        ways.append((1000 + w, refs, tags))
    return write_osm(path, nodes, ways)


def _same_paths(fast: list, reference: list) -> None:
    assert len(fast) == len(reference)
    for a, b in zip(fast, reference, strict=True):
        assert (a is None) == (b is None)
        if a is not None:
            assert (a.seconds, a.length_m, a.path, a.turns) == (b.seconds, b.length_m, b.path, b.turns)
            assert a.edges.dtype == b.edges.dtype and a.edges.tolist() == b.edges.tolist()


@pytest.mark.parametrize("seed", [1, 2])
def test_fast_paths_equal_the_reference_on_a_random_graph(tmp_path: Path, monkeypatch, seed: int) -> None:
    from bench import roads_baseline
    from geo import roadgraph

    g = _graph(_random_streets(tmp_path / "random.osm.pbf", seed))
    assert g.n_nodes > 100 and not g.forward.all()                      # one-way streets against their drawing
    rng = np.random.default_rng(seed)
    snaps = [g.snap(float(rng.uniform(g.lon.min(), g.lon.max())), float(rng.uniform(g.lat.min(), g.lat.max())), 2000)
             for _ in range(14)]
    snaps += [g.node_snap(k, float(g.lon[k]), float(g.lat[k])) for k in (0, 7)]     # anchors on nodes
    snaps.append(roadgraph.Snap(snaps[0].segment, min(snaps[0].fraction + 0.01, 1.0), 0.0, snaps[0].lon, snaps[0].lat))
    snaps.append(roadgraph.Snap(snaps[1].segment, 1.0, 0.0, snaps[1].lon, snaps[1].lat))   # at a segment's very end
    pairs = [(i, j) for i in range(len(snaps)) for j in range(len(snaps))]             # with i == j and same-segment
    reference = roads_baseline.route_pairs(g, snaps, snaps, pairs, paths=True)
    assert all(p is not None for p in reference)            # one strongly connected network: every pair routed
    assert any(len(p.edges) > 10 for p in reference)
    _same_paths(g.route_pairs(snaps, snaps, pairs, paths=True), reference)
    _same_paths(g.route_pairs(snaps, snaps, pairs, paths=False, workers=1),
                roads_baseline.route_pairs(g, snaps, snaps, pairs, paths=False))
    # the same split over two processes, the trees in blocks of three
    monkeypatch.setattr(roadgraph, "PARALLEL_MIN_WORK", 0)
    monkeypatch.setattr(roadgraph, "_may_fork", lambda: True)  # whatever threads earlier tests left running
    monkeypatch.setattr(roadgraph, "TREE_BLOCK_CELLS", 3 * (g.n_nodes + len(snaps)))
    _same_paths(g.route_pairs(snaps, snaps, pairs, paths=True, workers=2), reference)
    assert g.route_pairs(snaps, snaps, [], workers=2) == []


def _network_db(tmp_path: Path, extract: Path) -> Path:
    db = tmp_path / "atlas.duckdb"
    build_database(db, BuildOptions(flows=False, seed_dir=write_seed(tmp_path / "seed", places=PLACES + TINY_EXTRA_PLACES)))
    import_file(extract, ImportOptions(layer="roads"), db)
    return db


def _city_grid(tmp_path: Path) -> Path:
    from bench.roads import write_grid

    path = tmp_path / "city.osm.pbf"
    write_grid(path, 50, spacing_m=100)   # 4.9 km square round the old city: every test place but one is on it
    return path


def test_plan_route_on_roads_with_snap_distances_and_a_far_place(tmp_path: Path) -> None:
    db = _network_db(tmp_path, _city_grid(tmp_path))
    con = connect(db, read_only=True)
    try:
        ids = ("att-wat-phra-singh", "att-night-bazaar", "att-far-hill")
        route = movement.plan_route(con, ids, speed_kmh=30)
        legs = route.legs
        assert route.label == road_service.ROAD_LABEL
        assert legs["on_roads"].tolist() == [True, False]
        first = legs.iloc[0]
        assert 0 <= first["snap_from_m"] <= 71 and 0 <= first["snap_to_m"] <= 71   # grid: within half a block diagonal
        straight = movement.haversine_m(98.9817, 18.7886, 99.0002, 18.7850)
        assert first["distance_km"] * 1000 > straight
        assert first["path"][0] != first["path"][-1] and len(first["path"]) > 2
        far = legs.iloc[1]
        assert "Far Hill is more than 500 m from the nearest road" in far["note"]
        assert far["distance_km"] * 1000 == pytest.approx(movement.haversine_m(99.0002, 18.7850, 98.9, 18.9), rel=1e-9)
        assert not route.on_roads
        assert len(route.turns) >= 1
    finally:
        con.close()


def test_best_order_on_roads_and_closed_tour(tmp_path: Path) -> None:
    db = _network_db(tmp_path, _city_grid(tmp_path))
    con = connect(db, read_only=True)
    try:
        ids = ("att-night-bazaar", "att-wat-phra-singh", "att-tha-phae-gate", "acc-river-hotel", "att-cafe-pct")
        given = movement.plan_route(con, ids, speed_kmh=30)
        best = movement.plan_route(con, ids, speed_kmh=30, order="best")
        assert best.order == "best order (exact)" and best.stops["place_id"].iloc[0] == "att-night-bazaar"
        assert best.minutes <= given.minutes + 1e-9
        closed = movement.plan_route(con, ids, speed_kmh=30, order="best", closed=True, day_hours=3)
        assert closed.closed and closed.legs["to_id"].iloc[-1] == "att-night-bazaar" and len(closed.legs) == 5
        assert closed.days is not None and closed.days["day"].max() >= 2     # 5 hours of visits in 3-hour days
        assert closed.days["note"].iloc[-1] == "back at the start"
    finally:
        con.close()


def test_route_cli_json(tmp_path: Path, capsys) -> None:
    db = _network_db(tmp_path, _city_grid(tmp_path))
    assert main(["route", "att-wat-phra-singh", "att-night-bazaar", "att-far-hill", "--db", str(db), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(leg["from"], leg["to"], leg["on_roads"]) for leg in doc["legs"]] == [
        ("att-wat-phra-singh", "att-night-bazaar", True), ("att-night-bazaar", "att-far-hill", False)]
    assert doc["total_m"] == pytest.approx(sum(leg["metres"] for leg in doc["legs"]), abs=0.2)
    assert doc["total_s"] == pytest.approx(sum(leg["seconds"] for leg in doc["legs"]), abs=0.2)
    assert doc["order"] == ["att-wat-phra-singh", "att-night-bazaar", "att-far-hill"]
    assert main(["route", "att-wat-phra-singh", "att-night-bazaar", "att-tha-phae-gate", "--order", "best",
                 "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "best order (exact)" in out and "on roads" in out and "total:" in out
    assert main(["route", "att-wat-phra-singh", "nope", "--db", str(db)]) == 2
    assert "unknown: nope" in capsys.readouterr().err


def test_route_cli_without_a_network_is_straight_lines(tmp_path: Path, capsys) -> None:
    db = tmp_path / "atlas.duckdb"
    build_database(db, BuildOptions(flows=False, seed_dir=write_seed(tmp_path / "seed")))
    assert main(["route", "att-wat-phra-singh", "att-night-bazaar", "--db", str(db), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["legs"][0]["on_roads"] is False and doc["routing"] == movement.STRAIGHT_LINE_LABEL


def test_the_graph_is_loaded_once_per_network(tmp_path: Path) -> None:
    db = _network_db(tmp_path, write_osm(tmp_path / "b.osm.pbf", block(), [
        (10, [1, 2, 3, 4, 1], {"highway": "residential"})]))
    con = connect(db, read_only=True)
    try:
        info = road_service.network_info(con)
        assert info is not None and info.edges == 4 and info.nodes == 2
        assert road_service.road_graph(con, info) is road_service.road_graph(con, info)
    finally:
        con.close()


def test_roads_benchmark_runs_small_and_reports_every_figure(tmp_path: Path) -> None:
    from bench.roads import format_roads, run_roads

    doc = run_roads(edges=2_000, pairs=200, workdir=tmp_path)
    for key in ("read_build_s", "import_s", "graph_load_s", "paths_per_s", "single_routes_per_s", "loads_s",
                "road_loads_query_ms"):
        assert isinstance(doc[key], float) and doc[key] > 0, key
    assert doc["network"]["edges"] == doc["grid"]["directed_edges"] and doc["paths"] == 200
    assert "shortest paths" in format_roads(doc)
    assert not list(tmp_path.iterdir())   # the temporary database is removed


def test_roads_benchmark_on_a_real_shaped_extract_moved_onto_the_city(tmp_path: Path) -> None:
    from bench.roads import extract_path, format_roads, recentre, run_roads
    from tests.test_roads_import import real_world_excerpt

    far = tmp_path / "far.osm.pbf"
    moved = recentre(real_world_excerpt(tmp_path / "excerpt.osm.pbf"), far, centre=(60.17, 24.94))   # to Helsinki
    assert moved["to_centre"] == [60.17, 24.94] and moved["lon_stretch"] > 1.8
    assert reader.read_roads(far).stats["km"] == pytest.approx(reader.read_roads(tmp_path / "excerpt.osm.pbf").stats["km"],
                                                               rel=0.01)   # lengths on the ground kept
    doc = run_roads(pairs=100, workdir=tmp_path, pbf=far, recentred=True)
    assert doc["extract"] == "far.osm.pbf" and doc["recentred"]["to_centre"][0] == pytest.approx(18.7883)
    assert doc["paths_identical"] and doc["paths"] == 100 and doc["baseline_paths_per_s"] > 0
    assert any("highway ways are roads" in n for n in doc["import_notes"])
    assert any("outside the extract" in p for p in doc["import_problems"])
    text = format_roads(doc)
    assert "same-run baseline" in text and "recentred on the map centre" in text
    assert extract_path("x.osm.pbf") == Path("x.osm.pbf")


def test_bench_pbf_needs_roads(capsys) -> None:
    assert main(["bench", "--pbf", "x.osm.pbf"]) == 2
    assert "--pbf and --recentre go with --roads" in capsys.readouterr().err


def _die(share: int) -> None:
    import os

    os._exit(1)


def test_a_dead_path_process_falls_back_to_this_one(monkeypatch) -> None:
    from geo import roadgraph

    monkeypatch.setattr(roadgraph, "_run_job", _die)
    monkeypatch.setattr(roadgraph, "_may_fork", lambda: True)
    assert roadgraph._in_processes(lambda s: s * 10, 3) == [0, 10, 20]
    assert roadgraph._in_processes(lambda s: s, 1) == [0]


def test_no_fork_while_other_python_threads_run(monkeypatch) -> None:
    """A served app has other threads: there the shares run in this process (same results, nothing forked)."""
    import threading

    from geo import roadgraph

    def no_fork(*_args, **_kwargs):
        raise AssertionError("forked with other threads running")

    monkeypatch.setattr(roadgraph.multiprocessing, "get_context", no_fork)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert not roadgraph._may_fork()
        assert roadgraph._in_processes(lambda s: s * 10, 3) == [0, 10, 20]
    finally:
        stop.set()
        other.join()
