"""The stream engine's NumPy steps (geo/staysteps.py) on small inputs, against DuckDB or brute force.

The whole engine is compared with the SQL engine in tests/test_staydetect.py and tests/test_pipeline.py;
these pin the pieces whose edge cases random data rarely reaches: rounding halves, code overflow,
repeat visits within an hour, the place grid against checking every place.
"""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path

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


def _presence_one_sort(device, start, end, group) -> staysteps.Presence:
    """The hourly presence step as it was before the blocked one: one sort of every stay-hour's key."""
    n = len(device)
    first_h, last_h = start // HOUR_US, (end - 1) // HOUR_US
    n_hours = last_h - first_h + 1
    order = np.argsort(group, kind="stable")
    g, dev, f, e = group[order], device[order], first_h[order], end[order]
    counted = np.zeros(n, dtype=bool)
    counted[order[1:]] = (g[1:] == g[:-1]) & (dev[1:] == dev[:-1]) & ((e[:-1] - 1) // HOUR_US == f[1:])
    h_min = int(first_h.min())
    span = int(last_h.max()) - h_min + 1
    base = group * span + (first_h - h_min)
    total = int(n_hours.sum())
    keys = np.sort(np.repeat(base - (np.cumsum(n_hours) - n_hours), n_hours) + np.arange(total))
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    ukeys, rows_per_key = keys[starts], np.diff(np.append(starts, total))
    m, multi = len(ukeys), n_hours > 1
    first_at = np.searchsorted(ukeys, base)
    last_at = np.searchsorted(ukeys, base[multi] + n_hours[multi] - 1)
    first_part = np.where(multi, (first_h + 1) * HOUR_US, end) - start
    last_part = end[multi] - last_h[multi] * HOUR_US
    partial = np.bincount(first_at, minlength=m) + np.bincount(last_at, minlength=m)
    partial_us = (np.bincount(first_at, weights=first_part.astype(float), minlength=m)
                  + np.bincount(last_at, weights=last_part.astype(float), minlength=m))
    dwell_us = (rows_per_key - partial).astype(float) * float(HOUR_US) + partial_us
    visitors = rows_per_key - np.bincount(first_at[counted], minlength=m)
    group_first = np.empty(int(group.max()) + 1, np.int64)
    group_first[group[::-1]] = np.arange(n - 1, -1, -1)
    return staysteps.Presence(hour=ukeys % span + h_min, group=ukeys // span, group_first=group_first,
                              visitors=visitors.astype(np.int32), dwell_us=np.rint(dwell_us).astype(np.int64))


def test_compiled_hourly_presence_equals_one_sort() -> None:
    """The compiled pass gives the vectorised one-sort step's arrays, bit for bit and type for type, on
    stays of 1 minute to 20 hours, some back in the same group within the hour, some ending on the hour."""
    rng = np.random.default_rng(18)
    n = 30_000
    device = np.sort(rng.integers(0, 2**63, 3_000, dtype=np.uint64))[np.sort(rng.integers(0, 3_000, n))]
    start = np.empty(n, np.int64)
    end = np.empty(n, np.int64)
    t = 1_780_000_000 * 1_000_000 + rng.integers(0, 3 * 24 * HOUR_US, n)  # a start per device's run
    lengths = rng.integers(1, 20 * 60, n) * MINUTE_US  # 1 minute to 20 hours
    gaps = rng.integers(0, 90, n) * MINUTE_US
    new_device = np.concatenate(([True], device[1:] != device[:-1]))
    for i in range(n):  # non-overlapping stays per device, some back within the hour
        start[i] = t[i] if new_device[i] else end[i - 1] + gaps[i]
        end[i] = start[i] + lengths[i]
    end[::97] = (end[::97] // HOUR_US + 1) * HOUR_US  # some end on the hour
    group = rng.zipf(1.5, n) % 400  # a few big groups, many small ones, codes with gaps
    want = _presence_one_sort(device, start, end, group)
    got = staysteps.hourly_presence(device, start, end, group)
    for field in ("hour", "group", "hour_us", "group_row", "visitors", "dwell_us", "dwell_minutes"):
        assert np.array_equal(getattr(got, field), getattr(want, field)), field
        assert getattr(got, field).dtype == getattr(want, field).dtype, field
    assert (want.visitors > 1).any() and len(want.hour_us) > 10_000


def test_stable_order_is_a_stable_argsort() -> None:
    codes = np.random.default_rng(3).integers(0, 50, 10_000)
    assert np.array_equal(staysteps.stable_order(codes), np.argsort(codes, kind="stable"))
    huge = np.array([1 << 61, 0, 1 << 61, 5])  # code × n would overflow: falls back to NumPy's stable sort
    assert staysteps.stable_order(huge).tolist() == [1, 3, 0, 2]
    assert len(staysteps.stable_order(np.empty(0, np.int64))) == 0


def test_moves_skip_empty_spots_and_never_cross_devices() -> None:
    device = np.array([1, 1, 1, 1, 2, 2], dtype=np.uint64)
    end = np.arange(6, dtype=np.int64)
    spot = np.array([5, -1, 5, 7, 9, 5], dtype=np.int32)  # 5 → (none) → 5 is no move; 5 → 7 is; 7 ≠ device 2
    to, origin = staysteps.moves(device, end, spot)
    assert list(zip(origin.tolist(), to.tolist(), strict=True)) == [(2, 3), (4, 5)]


def _nearest_brute(lon, lat, start, dwell, places, radius_m):
    """Nearest open place of each stay by checking every place (the rules of insert_stays.sql)."""
    out = []
    for x, y, s, d in zip(lon.tolist(), lat.tolist(), start.tolist(), dwell.tolist(), strict=True):
        sh = (s // 1000 % 86_400_000) / 3_600_000
        eh = sh + d / 60
        best = None
        for p, (px, py, oh, ch) in enumerate(zip(places.lon.tolist(), places.lat.tolist(), places.open_h.tolist(),
                                                 places.close_h.tolist(), strict=True)):
            is_open = (math.isnan(oh) or math.isnan(ch) or d >= 1440
                       or any(sh < ch + k and oh + k < eh for k in (-24, 0, 24)))
            east = math.radians(px - x) * math.cos(math.radians((py + y) / 2))
            metres = vocab.EARTH_RADIUS_M * math.hypot(east, math.radians(py - y))
            decimetres = math.floor(metres * 10 + 0.5)
            if is_open and decimetres / 10 <= radius_m and (best is None or (decimetres, p) < best):
                best = (decimetres, p)
        out.append((-1, None) if best is None else (best[1], best[0] / 10))
    return out


def test_place_matching_equals_checking_every_place() -> None:
    """The grid never misses a candidate: every stay gets the place a check of all places gives, with
    opening hours across midnight, stays of a day or more and places without hours."""
    rng = np.random.default_rng(6)
    n_places = 30
    places = staysteps.place_points(
        [f"p{i:02d}" for i in range(n_places)], 98.98 + rng.uniform(0, 0.02, n_places),
        18.78 + rng.uniform(0, 0.02, n_places), np.where(rng.random(n_places) < 0.3, np.nan, 8.0),
        np.where(rng.random(n_places) < 0.3, np.nan, rng.choice([20.0, 2.0], n_places)),  # some close after midnight
    )
    grid = staysteps.place_grid(places, 98.99, 18.79, 200.0)
    n = 3000
    lon, lat = 98.98 + rng.uniform(0, 0.02, n), 18.78 + rng.uniform(0, 0.02, n)
    start = rng.integers(0, 30 * 60, n) * MINUTE_US
    dwell = rng.choice([20.0, 90.0, 600.0, 1440.0], n)
    code, metres = staysteps.match_places(lon, lat, start, dwell, grid)
    want = _nearest_brute(lon, lat, start, dwell, places, 200.0)
    assert code.tolist() == [c for c, _ in want]
    assert [None if np.isnan(m) else float(m) for m in metres] == [m for _, m in want]
    assert 0 < (code >= 0).sum() < n
    empty = staysteps.match_places(lon[:0], lat[:0], start[:0], dwell[:0], grid)
    assert len(empty[0]) == len(empty[1]) == 0


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


def test_dense_ids_keep_the_first_id_given() -> None:
    ids = staysteps.DenseIds()
    first = ids.ids(np.array([50, 7, 50, 2**63 + 5], np.uint64))
    assert first.tolist() == [1, 0, 1, 2]  # new values numbered in value order within a call
    again = ids.ids(np.array([2**63 + 5, 3, 7], np.uint64))
    assert again.tolist() == [2, 3, 0]
    assert ids.values.tolist() == [7, 50, 2**63 + 5, 3] and len(ids) == 4
    assert ids.ids(np.empty(0, np.uint64)).tolist() == []


@pytest.mark.parametrize("floor", [1, 60, 1 << 20])  # merged at every call, every few, only when read
@pytest.mark.parametrize("spill_rows", [None, 150, 1000])  # in memory, or runs on disk (many, a few)
def test_running_sums_equal_a_group_by(floor: int, spill_rows: int | None, monkeypatch: pytest.MonkeyPatch,
                                       tmp_path: Path) -> None:
    monkeypatch.setattr(staysteps, "RUNNING_SUMS_FLOOR", floor)
    rng = np.random.default_rng(4)
    sums = staysteps.RunningSums([np.int32, np.int64], spill_rows=spill_rows, spill_dir=tmp_path)
    expected: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for _ in range(30):
        keys = rng.permutation(np.unique(rng.integers(-(2**40), 2**40, rng.integers(0, 200)) // 2**30))
        a, b = rng.integers(0, 9, len(keys)), rng.integers(-5, 2**40, len(keys))
        sums.add(keys, [a, b])
        for k, x, y in zip(keys.tolist(), a.tolist(), b.tolist(), strict=True):
            expected[k][0] += x
            expected[k][1] += y
    assert (sums.spilled_runs > 0) == (spill_rows is not None)
    assert sums.keys.tolist() == sorted(expected)
    assert sums.values[0].tolist() == [expected[k][0] for k in sorted(expected)]
    assert sums.values[1].tolist() == [expected[k][1] for k in sorted(expected)]
    parts = list(sums.slices(64))
    assert max(len(keys) for keys, _ in parts) < 64 * 3  # slices of about the size asked for
    assert np.concatenate([keys for keys, _ in parts]).tolist() == sorted(expected)
    for i, dtype in enumerate((np.int32, np.int64)):
        column = np.concatenate([values[i] for _, values in parts])
        assert column.dtype == dtype and column.tolist() == [expected[k][i] for k in sorted(expected)]
    assert list(tmp_path.iterdir()) == []  # the runs on disk are gone once handed over
    assert sums.keys.tolist() == []


def test_running_sums_remove_their_runs_on_close(tmp_path: Path) -> None:
    sums = staysteps.RunningSums([np.int64], spill_rows=4, spill_dir=tmp_path)
    for start in range(0, 40, 5):
        sums.add(np.arange(start, start + 5), [np.ones(5, np.int64)])
    assert sums.spilled_runs >= 2 and len(list(tmp_path.iterdir())) == 1
    first = next(sums.slices(8))  # a reader stopped early (a failed write)
    assert first[0].tolist()[:3] == [0, 1, 2]
    sums.close()
    assert list(tmp_path.iterdir()) == []


def test_running_sums_check_presorted_keys() -> None:
    sums = staysteps.RunningSums([np.int64])
    sums.add(np.array([1, 5, 9]), [np.array([1, 1, 1])], presorted=True)
    sums.add(np.array([0, 5, 10]), [np.array([2, 2, 2])], presorted=True)
    assert sums.keys.tolist() == [0, 1, 5, 9, 10] and sums.values[0].tolist() == [2, 1, 3, 1, 2]
    with pytest.raises(ValueError, match="presorted"):
        sums.add(np.array([3, 2]), [np.array([1, 1])], presorted=True)


def test_packed_keys_and_fields_round_trip() -> None:
    high, low = np.array([-3, 0, 500_000, 2**31 - 1]), np.array([0, 2**32 - 1, 7, 12])
    keys = staysteps.packed_key(high, low)
    assert (np.diff(keys) > 0).all()  # ordered by high, then low
    assert [a.tolist() for a in staysteps.unpack_key(keys)] == [high.tolist(), low.tolist()]
    with pytest.raises(ValueError, match="low part"):
        staysteps.packed_key(np.array([1]), np.array([2**32]))
    with pytest.raises(ValueError, match="high part"):
        staysteps.packed_key(np.array([2**31]), np.array([0]))
    fields = [(np.array([0, 5, 2**40]), 41), (np.array([3, 0, 1]), 2), (np.array([9, 1, 0]), 4)]
    packed = staysteps.pack_fields(fields)
    assert [a.tolist() for a in staysteps.unpack_fields(packed, [41, 2, 4])] == [f.tolist() for f, _ in fields]
    with pytest.raises(ValueError, match="outside"):
        staysteps.pack_fields([(np.array([4]), 2)])
    with pytest.raises(ValueError, match="64 bits"):
        staysteps.pack_fields([(np.array([1]), 40), (np.array([1]), 30)])


def test_block_rows_reorder_blocks_without_sorting_rows() -> None:
    rows = staysteps.block_rows(np.array([5, 0, 2]), np.array([2, 2, 3]))
    assert rows.tolist() == [5, 6, 0, 1, 2, 3, 4]
