"""The pipeline steps after stay detection (stays, visits_hourly, trips), exact on hand-built inputs.

Each step's SQL file runs on its own: ``insert_stays`` on hand-built stay candidates, the later steps on
hand-built ``stays`` rows. The cases are the ones the set-based formulations must get right: the
radius tested on the nearest open place only, a repeat in a cell-hour next to another device's stay,
and trips that skip stays at no place or in no zone.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta

import duckdb
import pyarrow as pa
import pytest

from geo import sql
from geo.build import pipeline
from geo.db import connect
from geo.settings import H3_RESOLUTION
from geo.vocab import EARTH_RADIUS_M
from tests.pipeline_fixtures import load_world

BKK, CN, KR, RES = "domestic:Bangkok", "international:CN", "international:KR", "resident"
D = "2025-11-10"
N = "2025-11-11"
REF = {"ref_lon": 98.99, "ref_lat": 18.79, "earth_radius_m": EARTH_RADIUS_M}

#: one zone around three museums ~100 m apart: closed (09-17), open (always), night (22-02, wraps)
ZONES = {"z": (98.980, 18.780, 99.000, 18.800)}
PLACES = [
    ("att-closed", "museum", 98.9900, 18.7900, 100, None, None, 9, 17),
    ("att-open", "museum", 98.9912, 18.7900, 100, None, None, None, None),
    ("att-night", "market", 98.9900, 18.7910, 100, None, None, 22, 2),
]
PLACE_POINTS = {p[0]: (p[2], p[3]) for p in PLACES}


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The pipeline's distance (equirectangular at the mean latitude), rounded to 0.1 m."""
    (lon1, lat1), (lon2, lat2) = a, b
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return round(EARTH_RADIUS_M * math.sqrt(x * x + math.radians(lat2 - lat1) ** 2), 1)


# -- stays: nearest open place --

#: (device, segment, lon, lat, start, end)
CANDIDATES = [
    (1, CN, 98.9902, 18.7900, f"{D} 10:00:00", f"{D} 10:30:00"),   # closed place open: 21 m
    (2, CN, 98.9902, 18.7900, f"{D} 19:00:00", f"{D} 19:30:00"),   # closed place closed: the open one
    (3, KR, 98.9900, 18.7905, f"{N} 01:00:00", f"{N} 01:30:00"),   # night place open after midnight
    (4, KR, 98.9900, 18.7885, f"{D} 20:00:00", f"{D} 20:30:00"),   # nearest open place 209 m: none
    (5, KR, 99.0200, 18.7900, f"{D} 12:00:00", f"{D} 12:30:00"),   # nothing within the radius
    (6, RES, 98.9910, 18.7900, f"{D} 20:00:00", f"{N} 07:00:00"),  # a resident's night: home
    (6, RES, 98.9910, 18.7900, f"{N} 10:00:00", f"{N} 10:40:00"),  # the same resident by day: a place
]


@pytest.fixture(scope="module")
def stays_con() -> duckdb.DuckDBPyConnection:
    con = connect(":memory:")
    load_world(con, PLACES, ZONES)
    starts = [ts(c[4]) for c in CANDIDATES]
    ends = [ts(c[5]) for c in CANDIDATES]
    frame = pa.table({
        "device": pa.array([c[0] for c in CANDIDATES], pa.uint64()),
        "stay_start": pa.array(starts, pa.timestamp("us")),
        "stay_end": pa.array(ends, pa.timestamp("us")),
        "lon": pa.array([c[2] for c in CANDIDATES], pa.float64()),
        "lat": pa.array([c[3] for c in CANDIDATES], pa.float64()),
        "segment": pa.array([c[1] for c in CANDIDATES], pa.string()),
        "n_pings": pa.array([3] * len(CANDIDATES), pa.int32()),
        "dwell_minutes": pa.array([(e - s).total_seconds() / 60 for s, e in zip(starts, ends, strict=True)]),
    })
    con.register("candidates_frame", frame)
    con.execute("create temp table stay_candidates as select * from candidates_frame")
    con.unregister("candidates_frame")
    con.execute("create temp table device_segments as select device, min(segment) as segment from stay_candidates group by device")
    pipeline._prepare_outputs(con, segments_from_pings=False)
    pipeline._load_stay_cells(con, H3_RESOLUTION)
    sql.execute(con, "build/insert_stays", {**REF, "place_radius_m": 200.0, "night_hour": 3})
    yield con
    con.close()


def test_nearest_open_place_and_its_distance(stays_con: duckdb.DuckDBPyConnection) -> None:
    got = stays_con.execute("""
        select device, stay_start, place_id, place_distance_m, visitor_type
        from stays order by device, stay_start""").fetchall()
    expected = []
    for device, segment, lon, lat, start, _ in CANDIDATES:
        place = {1: "att-closed", 2: "att-open", 3: "att-night", 6: "att-open"}.get(device)
        if device == 6 and start.startswith(D):
            place = None  # home
        distance = metres((lon, lat), PLACE_POINTS[place]) if place else None
        visitor = "resident" if segment == RES else "day_tripper"
        expected.append((device, ts(start), place, distance, visitor))
    assert got == expected


def test_radius_applies_to_the_nearest_open_place(stays_con: duckdb.DuckDBPyConnection) -> None:
    # device 4: the closed museum is 167 m away, the nearest open one 209 m: no place at all
    assert metres((98.9900, 18.7885), PLACE_POINTS["att-closed"]) < 200 < metres((98.9900, 18.7885), PLACE_POINTS["att-open"])
    assert stays_con.execute("select place_id, place_distance_m from stays where device = 4").fetchall() == [(None, None)]


# -- visits_hourly and trips from hand-built stays --

#: (device, segment, visitor_type, cell, zone_id, place_id, start, end)
STAYS = [
    # devices 1 and 2 take turns in cell 1 within one hour: each counted once
    (1, BKK, "day_tripper", 1, "west", "p1", f"{D} 09:50", f"{D} 10:05"),
    (1, BKK, "day_tripper", 1, "west", "p1", f"{D} 10:10", f"{D} 10:25"),
    (2, BKK, "day_tripper", 1, "west", "p1", f"{D} 10:30", f"{D} 10:50"),
    # device 3: cell 1, cell 2, cell 1 within one hour: once in each cell
    (3, CN, "overnight", 1, "west", None, f"{D} 12:00", f"{D} 12:15"),
    (3, CN, "overnight", 2, "west", None, f"{D} 12:20", f"{D} 12:35"),
    (3, CN, "overnight", 1, "west", None, f"{D} 12:40", f"{D} 13:05"),
    # device 4: a stay ending on the hour, the next starting then: the first does not touch 15:00
    (4, KR, "day_tripper", 1, "west", None, f"{D} 14:00", f"{D} 15:00"),
    (4, KR, "day_tripper", 1, "west", None, f"{D} 15:00", f"{D} 15:20"),
    # devices 10 and 11: the same day of moves (zones and places skip stays with none)
    *[
        (dev, CN, "day_tripper", cell, zone, place, start, end)
        for dev in (10, 11)
        for cell, zone, place, start, end in (
            (5, "west", "p1", f"{D} 09:00", f"{D} 10:00"),
            (5, "west", None, f"{D} 10:30", f"{D} 11:00"),
            (6, "east", "p1", f"{D} 11:30", f"{D} 12:00"),
            (7, None, "p2", f"{D} 23:00", f"{N} 00:30"),
            (5, "west", "p3", f"{N} 01:00", f"{N} 02:00"),
        )
    ],
]


@pytest.fixture(scope="module")
def steps_con() -> duckdb.DuckDBPyConnection:
    con = connect(":memory:")
    # the zones and places the stays name (only their ids matter here)
    con.execute("create table zones as select * from (values ('east'), ('west')) as v (zone_id)")
    con.execute("create table places as select * from (values ('p1'), ('p2'), ('p3')) as v (place_id)")
    starts = [ts(s[6]) for s in STAYS]
    ends = [ts(s[7]) for s in STAYS]
    frame = pa.table({
        "device": pa.array([s[0] for s in STAYS], pa.uint64()),
        "stay_start": pa.array(starts, pa.timestamp("us")),
        "stay_end": pa.array(ends, pa.timestamp("us")),
        "lon": pa.array([98.99] * len(STAYS)),
        "lat": pa.array([18.79] * len(STAYS)),
        "cell": pa.array([s[3] for s in STAYS], pa.uint64()),
        "zone_id": pa.array([s[4] for s in STAYS], pa.string()),
        "place_id": pa.array([s[5] for s in STAYS], pa.string()),
        "place_distance_m": pa.array([10.0 if s[5] else None for s in STAYS]),
        "segment": pa.array([s[1] for s in STAYS], pa.string()),
        "visitor_type": pa.array([s[2] for s in STAYS], pa.string()),
        "n_pings": pa.array([3] * len(STAYS), pa.int32()),
        "dwell_minutes": pa.array([(e - s).total_seconds() / 60 for s, e in zip(starts, ends, strict=True)]),
    }).to_pandas()
    assert pipeline.load_outputs(con, {"stays": frame})["stays"] == len(STAYS)
    # the view gives back the texts
    assert con.execute("select * from stays order by device, stay_start").df().equals(
        frame.sort_values(["device", "stay_start"], ignore_index=True))
    sql.execute(con, "build/insert_place_visits", {"visit_merge_gap_minutes": 30.0})
    for name in ("build/insert_visits_hourly", "build/insert_trips"):
        sql.execute(con, name)
    yield con
    con.close()


def plain_visits_hourly() -> list[tuple]:
    """visits_hourly by its definition: every stay in every hour it overlaps, devices as a set."""
    devices: dict[tuple, set[int]] = defaultdict(set)
    minutes: dict[tuple, float] = defaultdict(float)
    for device, segment, visitor, cell, zone, _, start, end in STAYS:
        s, e = ts(start), ts(end)
        hour = s.replace(minute=0, second=0)
        while hour < e:
            key = (hour, cell, zone, segment, visitor)
            devices[key].add(device)
            minutes[key] += (min(e, hour + timedelta(hours=1)) - max(s, hour)).total_seconds() / 60
            hour += timedelta(hours=1)
    return sorted((*k, len(devices[k]), minutes[k]) for k in devices)


def test_visits_hourly_equals_the_plain_definition(steps_con: duckdb.DuckDBPyConnection) -> None:
    got = steps_con.execute("select * from visits_hourly order by all").fetchall()
    assert got == plain_visits_hourly()


def test_visits_hourly_devices_taking_turns_in_a_cell(steps_con: duckdb.DuckDBPyConnection) -> None:
    got = steps_con.execute(
        "select ts_hour, visitors, dwell_minutes from visits_hourly where segment = ? order by ts_hour", [BKK],
    ).fetchall()
    assert got == [(ts(f"{D} 09:00"), 1, 10.0), (ts(f"{D} 10:00"), 2, 40.0)]


def test_visits_hourly_back_to_a_cell_within_the_hour(steps_con: duckdb.DuckDBPyConnection) -> None:
    got = steps_con.execute(
        "select ts_hour, cell, visitors, dwell_minutes from visits_hourly where segment = ? order by cell, ts_hour",
        [CN],
    ).fetchall()
    assert [r for r in got if r[1] in (1, 2)] == [
        (ts(f"{D} 12:00"), 1, 1, 35.0),
        (ts(f"{D} 13:00"), 1, 1, 5.0),
        (ts(f"{D} 12:00"), 2, 1, 15.0),
    ]


def test_place_visits_split_by_a_stay_at_no_place(steps_con: duckdb.DuckDBPyConnection) -> None:
    got = steps_con.execute(
        "select place_id, visit_start, visit_end, n_stays from place_visits where device = 10 order by visit_start",
    ).fetchall()
    assert got == [
        ("p1", ts(f"{D} 09:00"), ts(f"{D} 10:00"), 1),
        ("p1", ts(f"{D} 11:30"), ts(f"{D} 12:00"), 1),
        ("p2", ts(f"{D} 23:00"), ts(f"{N} 00:30"), 1),
        ("p3", ts(f"{N} 01:00"), ts(f"{N} 02:00"), 1),
    ]


def test_trips_skip_stays_at_no_place_or_zone(steps_con: duckdb.DuckDBPyConnection) -> None:
    got = steps_con.execute("select * from trips order by level desc, day, origin").fetchall()
    day, next_day = ts(D).date(), ts(N).date()
    assert got == [
        (day, "zone", "east", "west", CN, "day_tripper", 2),   # left east at 12:00 (the p2 stay has no zone)
        (day, "zone", "west", "east", CN, "day_tripper", 2),   # left west at 11:00
        (day, "place", "p1", "p2", CN, "day_tripper", 2),      # p1 -> (no place) -> p1 is no trip
        (next_day, "place", "p2", "p3", CN, "day_tripper", 2),
    ]
