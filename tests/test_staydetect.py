"""Stay detection on the sorted stream (geo/staydetect.py): the rules, batch cutting, and equality with SQL."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from geo.build import simulate, staydetect
from geo.build.pipeline import PipelineParams, run_pipeline, stay_rules
from geo.build.staydetect import StayRules, detect_stays, stream_stays
from tests.pipeline_fixtures import sim_world

MIN = 60_000_000  # microseconds per minute
RULES = StayRules(radius_m=150.0, max_gap_us=720 * MIN, min_stay_us=15 * MIN, max_outliers=2)


def pings(*rows: tuple[int, float, float, float]) -> tuple[np.ndarray, ...]:
    """(device, minute, x metres, y metres) rows → sorted kernel arrays."""
    rows = sorted(rows)
    return (
        np.array([r[0] for r in rows], np.uint64),
        np.array([round(r[1] * MIN) for r in rows], np.int64),
        np.array([r[2] for r in rows], np.float64),
        np.array([r[3] for r in rows], np.float64),
    )


def as_rows(stays: dict[str, np.ndarray]) -> list[tuple]:
    return [
        (int(d), s / MIN, e / MIN, round(float(x), 6), round(float(y), 6), int(n))
        for d, s, e, x, y, n in zip(*(stays[k] for k in staydetect.STAY_COLUMNS), strict=True)
    ]


def test_a_run_becomes_a_stay_with_its_first_and_last_ping() -> None:
    out = detect_stays(*pings((1, 0, 0, 0), (1, 10, 100, 0), (1, 20, 200, 0)), RULES)
    # consecutive pings within 150 m chain even though first and last are 200 m apart
    assert as_rows(out) == [(1, 0.0, 20.0, 100.0, 0.0, 3)]


def test_minimum_stay_is_inclusive_and_lone_pings_are_not_stays() -> None:
    out = detect_stays(*pings((1, 0, 0, 0), (1, 15, 0, 0), (2, 0, 0, 0), (2, 14.99, 0, 0), (3, 5, 0, 0)), RULES)
    assert [r[0] for r in as_rows(out)] == [1]


def test_distance_and_gap_break_runs() -> None:
    far = pings((1, 0, 0, 0), (1, 20, 0, 150.0001), (1, 40, 0, 150.0001))
    assert as_rows(detect_stays(*far, RULES)) == [(1, 20.0, 40.0, 0.0, 150.0001, 2)]
    edge = pings((1, 0, 0, 0), (1, 20, 0, 150.0))  # exactly the radius still chains
    assert len(as_rows(detect_stays(*edge, RULES))) == 1
    late = pings((1, 0, 0, 0), (1, 720, 0, 0), (1, 1440.01, 0, 0), (1, 1460, 0, 0))
    assert [(r[1], r[2]) for r in as_rows(detect_stays(*late, RULES))] == [(0.0, 720.0), (1440.01, 1460.0)]


def test_up_to_two_strays_are_bridged_three_are_not() -> None:
    def stay_with_strays(k: int) -> list[tuple]:
        base = [(1, 0, 0, 0), (1, 10, 0, 0)]
        strays = [(1, 11 + i, 800, 800 * (i % 2)) for i in range(k)]  # far from each other and the spot
        return [*base, *strays, (1, 20, 10, 0), (1, 30, 10, 0)]

    two = as_rows(detect_stays(*pings(*stay_with_strays(2)), RULES))
    assert two == [(1, 0.0, 30.0, 5.0, 0.0, 4)]  # ping-weighted centre, strays not counted
    # three strays: two 10-minute runs that stay apart, neither long enough alone
    assert as_rows(detect_stays(*pings(*stay_with_strays(3)), RULES)) == []


def test_runs_of_different_devices_never_merge() -> None:
    out = detect_stays(*pings((1, 0, 0, 0), (1, 10, 0, 0), (2, 12, 0, 0), (2, 30, 0, 0)), RULES)
    assert [(r[0], r[1], r[2]) for r in as_rows(out)] == [(2, 12.0, 30.0)]


def test_empty_input() -> None:
    out = detect_stays(*pings(), RULES)
    assert all(len(v) == 0 for v in out.values())
    assert stream_stays([], RULES).num_rows == 0


def _random_pings(seed: int, devices: int = 60) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(devices):
        n = int(rng.integers(1, 120))
        t = np.cumsum(rng.integers(1, 40, n))
        spot = rng.integers(0, 4, n) * 400.0  # hops between four spots 400 m apart
        rows += [(d, float(t[i]), spot[i] + rng.normal(0, 40), rng.normal(0, 40)) for i in range(n)]
    return pings(*rows)


@pytest.mark.parametrize("batch_rows", [1, 7, 64, 1000, 100_000])
def test_batch_cuts_never_change_the_stays(batch_rows: int) -> None:
    arrays = _random_pings(3)
    whole = detect_stays(*arrays, RULES)
    table = pa.table(dict(zip(("device", "t", "x", "y"), arrays, strict=True)))
    streamed = stream_stays(table.to_batches(max_chunksize=batch_rows), RULES)
    assert streamed.num_rows == len(whole["device"]) > 0
    for key in staydetect.STAY_COLUMNS:
        np.testing.assert_array_equal(streamed.column(key).to_numpy(), whole[key])


def test_a_reader_error_reaches_the_caller() -> None:
    def broken():
        yield pa.record_batch(dict(zip(("device", "t", "x", "y"), pings((1, 0, 0, 0)), strict=True)))
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        stream_stays(broken(), RULES)


def test_rules_from_params() -> None:
    rules = stay_rules(PipelineParams(stay_radius_m=90, max_gap_minutes=60, min_stay_minutes=20, max_outliers=1))
    assert rules == StayRules(radius_m=90, max_gap_us=60 * MIN, min_stay_us=20 * MIN, max_outliers=1)


#: Each output table's columns in a total order (every column, so equal frames mean equal tables).
ENGINE_TABLES = {
    "stays": "device, stay_start",
    "place_visits": "device, visit_start",
    "visits_hourly": "ts_hour, cell, zone_id, segment, visitor_type",
    "trips": "day, level, origin, destination, segment, visitor_type",
}


@pytest.mark.parametrize("cells_missing", [False, True])
def test_stream_and_sql_engines_give_the_same_tables_on_simulated_pings(cells_missing: bool,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Two months of simulated flows: all four output tables equal on both engines (stay centres to
    1e-11°: the kernel sums in another order; every other column exactly). ``cells_missing``: half the
    cells are not in the cells table, so their zones are looked up in SQL while the stream is read, batch
    by batch (once, such a lookup on the stream's cursor silently ended the stream)."""
    con = sim_world()
    simulate.simulate_pings(con, seed=5, days=60, start=date(2025, 12, 1), visitors=1200)
    if cells_missing:
        con.execute("delete from cells where cell % 2 = 0")
        monkeypatch.setattr(staydetect, "BATCH_ROWS", 5_000)
    results: dict[str, dict[str, pd.DataFrame]] = {}
    for engine in ("stream", "sql"):
        run_pipeline(con, engine=engine)
        results[engine] = {
            table: con.table(table).order(order).df() for table, order in ENGINE_TABLES.items()
        }
    for table in ENGINE_TABLES:
        a, b = results["stream"][table], results["sql"][table]
        assert len(a) > 1000, table
        if table == "stays":
            np.testing.assert_allclose(a[["lon", "lat"]], b[["lon", "lat"]], rtol=0, atol=1e-11)
            a, b = a.drop(columns=["lon", "lat"]), b.drop(columns=["lon", "lat"])
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=table)
    assert results["stream"]["stays"]["place_id"].notna().sum() > 500
    assert (results["stream"]["visits_hourly"]["visitors"] > 1).any()
    assert set(results["stream"]["trips"]["level"]) == {"zone", "place"}
    con.close()


def test_reader_thread_stops_when_the_consumer_stops_early() -> None:
    import itertools
    import threading

    def endless():
        yield from itertools.count()

    gen = staydetect._prefetch(endless(), depth=2)
    assert [next(gen) for _ in range(5)] == [0, 1, 2, 3, 4]
    gen.close()  # what happens when the kernel raises mid-stream
    assert not any(t.name == "stay-stream-reader" and t.is_alive() for t in threading.enumerate())


def test_pings_at_the_same_time_are_ordered_by_position_whatever_order_they_arrive_in() -> None:
    # device 1 has three pings at minute 10: one at the spot, two far away; their order decides runs
    rows = [(1, 0, 0, 0), (1, 10, 0, 0), (1, 10, 900, 0), (1, 10, 0, 900), (1, 20, 0, 0), (1, 30, 0, 0),
            (2, 0, 5, 5), (2, 30, 5, 5)]
    device, t, x, y = pings(*rows)  # sorted by (device, t, x, y)
    expected = as_rows(detect_stays(device, t, x, y, RULES))
    assert expected  # a stay exists either way; its bounds depend on the tie order
    rng = np.random.default_rng(1)
    for _ in range(10):
        # shuffle within (device, t) only, as a sort by (device, t) may deliver them
        order = np.lexsort((rng.random(len(t)), t, device))
        assert as_rows(detect_stays(device[order], t[order], x[order], y[order], RULES)) == expected
