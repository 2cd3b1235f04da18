"""The stream engine's NumPy steps (geo/staysteps.py) on small inputs, against DuckDB or brute force.

The whole engine is compared with the SQL engine in tests/test_staydetect.py and tests/test_pipeline.py;
these pin the pieces whose edge cases random data rarely reaches: rounding halves, code overflow,
repeat visits within an hour, blocks and threads in the place matching.
"""

from __future__ import annotations

from collections import defaultdict

import duckdb
import numpy as np
import pandas as pd
import pytest

from geo import vocab
from geo.build import staysteps
from geo.build.pipeline import load_outputs
from geo.build.staysteps import HOUR_US, MINUTE_US
from geo.db import connect
from geo.errors import FlowDataError
from tests.pipeline_fixtures import pipe_world

HALVES = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.49999999999999994, 1e15 + 0.5, 2.4999999999999996, 0.0, 7.0])


def test_c_round_is_duckdbs_round() -> None:
    values = np.concatenate([HALVES, np.random.default_rng(2).uniform(-500, 500, 20_000)])
    con = duckdb.connect()
    con.register("v", pd.DataFrame({"v": values}))
    got = con.execute("select round(v) as r0, round(v, 4) as r4 from v").df()
    np.testing.assert_array_equal(staysteps.c_round(values), got["r0"].to_numpy())
    np.testing.assert_array_equal(staysteps.c_round(values * 10000.0) / 10000.0, got["r4"].to_numpy())


def test_round_positive_is_c_round_for_positive_values() -> None:
    values = np.concatenate([np.abs(HALVES), np.random.default_rng(3).uniform(0, 5000, 50_000),
                             np.arange(0, 2000) + 0.5, np.nextafter(np.arange(1, 2000) + 0.5, 0)])
    np.testing.assert_array_equal(staysteps.round_positive(values.copy()), staysteps.c_round(values))


def test_combine_codes_never_overflows() -> None:
    rng = np.random.default_rng(4)
    a = rng.integers(0, 1 << 40, 500)
    b = rng.integers(0, 1 << 30, 500)
    c = rng.integers(0, 3, 500)
    a[250:], b[250:], c[250:] = a[:250], b[:250], c[:250]  # every combination twice
    codes = staysteps.combine_codes([(a, 1 << 40), (b, 1 << 30), (c, 3)])
    pairs = list(zip(a.tolist(), b.tolist(), c.tolist(), strict=True))
    assert len(set(codes.tolist())) == len(set(pairs)) == 250
    assert all(codes[i] == codes[i + 250] for i in range(250))
    assert len({(p, k) for p, k in zip(pairs, codes.tolist(), strict=True)}) == 250


def _brute_presence(device, start, end, group) -> dict[tuple[int, int], tuple[int, float]]:
    """(group, hour) -> (unique devices, dwell minutes), one stay-hour at a time."""
    devices: dict[tuple[int, int], set[int]] = defaultdict(set)
    dwell: dict[tuple[int, int], int] = defaultdict(int)
    for d, s, e, g in zip(device.tolist(), start.tolist(), end.tolist(), group.tolist(), strict=True):
        for h in range(s // HOUR_US, (e - 1) // HOUR_US + 1):
            devices[(g, h)].add(d)
            dwell[(g, h)] += min(e, (h + 1) * HOUR_US) - max(s, h * HOUR_US)
    return {k: (len(devices[k]), dwell[k] / 60_000_000) for k in devices}


def test_hourly_presence_equals_brute_force() -> None:
    rng = np.random.default_rng(5)
    rows = []
    for device in range(40):
        t = int(rng.integers(0, 10 * HOUR_US))
        for _ in range(int(rng.integers(1, 12))):
            t += int(rng.integers(0, 50)) * MINUTE_US  # gaps of 0..49 minutes, stays of 15..299 minutes
            length = int(rng.integers(15, 300)) * MINUTE_US
            rows.append((device, t, t + length, int(rng.integers(0, 4))))  # group 0..3: back and forth
            t += length
    rows.append((99, 5 * HOUR_US, 6 * HOUR_US, 0))  # ends on the hour: not in the next hour
    device, start, end, group = (np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))
    got = staysteps.hourly_presence(device.astype(np.uint64), start, end, group)
    hours = got.hour_us // HOUR_US
    result = {(int(group[r]), int(h)): (int(v), float(m))
              for r, h, v, m in zip(got.group_row, hours, got.visitors, got.dwell_minutes, strict=True)}
    assert result == _brute_presence(device, start, end, group)
    stay_hours = sum((e - 1) // HOUR_US - s // HOUR_US + 1 for s, e in zip(start.tolist(), end.tolist(), strict=True))
    assert sum(v for v, _ in result.values()) < stay_hours  # some devices came back within an hour: counted once


def test_hourly_presence_of_nothing() -> None:
    empty = np.empty(0, np.int64)
    got = staysteps.hourly_presence(empty.astype(np.uint64), empty, empty, empty)
    assert len(got.hour_us) == len(got.visitors) == 0


def test_moves_skip_empty_spots_and_never_cross_devices() -> None:
    device = np.array([1, 1, 1, 1, 2, 2], dtype=np.uint64)
    end = np.arange(6, dtype=np.int64)
    spot = np.array([5, -1, 5, 7, 9, 5], dtype=np.int32)  # 5 → (none) → 5 is no move; 5 → 7 is; 7 ≠ device 2
    to, origin = staysteps.moves(device, end, spot)
    assert list(zip(origin.tolist(), to.tolist(), strict=True)) == [(2, 3), (4, 5)]


def test_place_matching_is_the_same_in_blocks_and_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(6)
    places = staysteps.place_points(
        [f"p{i:02d}" for i in range(30)], 98.98 + rng.uniform(0, 0.02, 30), 18.78 + rng.uniform(0, 0.02, 30),
        np.where(rng.random(30) < 0.3, np.nan, 8.0), np.where(rng.random(30) < 0.3, np.nan, 20.0),
    )
    n = 5000
    lon, lat = 98.98 + rng.uniform(0, 0.02, n), 18.78 + rng.uniform(0, 0.02, n)
    start = rng.integers(0, 30, n) * HOUR_US
    dwell = rng.uniform(15, 600, n)
    whole = staysteps.match_places(lon, lat, start, dwell, places, 98.99, 18.79, 200.0, workers=1)
    monkeypatch.setattr(staysteps, "MATCH_BLOCK", 317)
    blocks = staysteps.match_places(lon, lat, start, dwell, places, 98.99, 18.79, 200.0, workers=2)
    np.testing.assert_array_equal(whole[0], blocks[0])
    np.testing.assert_array_equal(whole[1], blocks[1])
    assert 0 < (whole[0] >= 0).sum() < n


def test_visitor_type_codes_are_the_labels_order() -> None:
    con = pipe_world()
    load_outputs(con, {})
    labels = con.execute("select label from labels where kind = 'visitor_type' order by code").fetchall()
    assert tuple(label for (label,) in labels) == vocab.VISITOR_TYPES
    con.close()


def test_load_outputs_names_unknown_zones_and_places() -> None:
    con = pipe_world()
    frame = pd.DataFrame({
        "ts_hour": pd.to_datetime(["2025-11-10 10:00"]), "cell": pd.Series([1], dtype="uint64"),
        "zone_id": ["atlantis"], "segment": ["resident"], "visitor_type": ["resident"],
        "visitors": pd.Series([3], dtype="int32"), "dwell_minutes": [60.0],
    })
    with pytest.raises(FlowDataError, match="visits_hourly.zone_id: atlantis"):
        load_outputs(con, {"visits_hourly": frame})
    with pytest.raises(FlowDataError, match="takes"):
        load_outputs(con, {"pings": frame})
    con.close()


def test_load_outputs_replaces_an_older_base_table() -> None:
    con = connect(":memory:")
    con.execute("create table zones (zone_id varchar)")
    con.execute("create table places (place_id varchar)")
    con.execute("create table trips (day date)")  # a database built before the views
    assert load_outputs(con, {}) == {"stays": 0, "place_visits": 0, "visits_hourly": 0, "trips": 0}
    assert con.execute("select table_type from information_schema.tables where table_name = 'trips'").fetchall() == [
        ("VIEW",)
    ]
    con.close()
