"""The compiled loops (geo/build/kernels.py) against vectorised NumPy forms of the same rules.

The vectorised stay detection below is the engine's previous kernel (a dozen array passes, proven equal
to the SQL formulation); the compiled pass must give its arrays bit for bit, centres included, which
needs NumPy's own order of float additions (``np.add.reduceat``'s pairwise sums).
"""

from __future__ import annotations

import numpy as np
import pytest

from geo.build import kernels, staydetect
from geo.build.staydetect import StayRules

MIN = 60_000_000
RULES = StayRules(radius_m=150.0, max_gap_us=720 * MIN, min_stay_us=15 * MIN, max_outliers=2)


def _vectorised_stays(device, t, x, y, rules: StayRules) -> dict[str, np.ndarray]:
    """Stays from pings sorted by (device, t, x, y), in array passes (the rules of detect_stays_sql.sql)."""
    r2 = rules.radius_m * rules.radius_m
    dx, dy = x[1:] - x[:-1], y[1:] - y[:-1]
    breaks = (device[1:] != device[:-1]) | (dx * dx + dy * dy > r2) | ((t[1:] - t[:-1]) > rules.max_gap_us)
    opens = np.concatenate(([True], breaks))
    closes = np.concatenate((breaks, [True]))
    first, last = np.flatnonzero(opens & ~closes), np.flatnonzero(closes & ~opens)
    dev, start_t, end_t = device[first], t[first], t[last]
    cx, cy = (x[first] + x[last]) / 2, (y[first] + y[last]) / 2
    pings = last - first + 1
    joins = np.zeros(len(first), dtype=bool)
    ddx, ddy = cx[1:] - cx[:-1], cy[1:] - cy[:-1]
    joins[1:] = ((dev[1:] == dev[:-1]) & (first[1:] - last[:-1] - 1 <= rules.max_outliers)
                 & (ddx * ddx + ddy * ddy <= r2) & ((start_t[1:] - end_t[:-1]) <= rules.max_gap_us))
    heads = np.flatnonzero(~joins)
    n_pings = np.add.reduceat(pings, heads)
    stay_start, stay_end = start_t[heads], np.maximum.reduceat(end_t, heads)
    keep = (stay_end - stay_start) >= rules.min_stay_us
    return {
        "device": dev[heads][keep], "start_t": stay_start[keep], "end_t": stay_end[keep],
        "x": (np.add.reduceat(cx * pings, heads) / n_pings)[keep],
        "y": (np.add.reduceat(cy * pings, heads) / n_pings)[keep], "n_pings": n_pings[keep],
    }


def _pings(seed: int, devices: int = 300) -> tuple[np.ndarray, ...]:
    """Devices hopping between spots, with stray pings, long interrupted stays (many runs, so the centre
    sums take NumPy's 8-way and halving paths) and pings at the same time."""
    rng = np.random.default_rng(seed)
    parts = []
    for _ in range(devices):
        n = int(rng.integers(1, 1500))
        t = np.cumsum(rng.integers(0, 6, n)) * MIN  # steps of 0: pings at the same time
        spot = np.repeat(rng.integers(0, 3, n // 40 + 1), 40)[:n] * 500.0
        stray = rng.random(n) < 0.15  # far pings breaking runs without ending the stay
        x = spot + rng.normal(0, 50, n) + stray * 3000.0
        y = rng.normal(0, 50, n)
        parts.append((np.full(n, rng.integers(0, 2**63), np.uint64), t, x, y))
    device, t, x, y = (np.concatenate(c) for c in zip(*parts, strict=True))
    order = np.lexsort((y, x, t, device))
    return device[order], t[order], x[order], y[order]


@pytest.mark.parametrize("rules", [RULES, StayRules(60.0, 30 * MIN, 5 * MIN, 0), StayRules(400.0, 720 * MIN, 0.0, 5)])
def test_compiled_stays_equal_the_vectorised_passes(rules: StayRules) -> None:
    device, t, x, y = _pings(4)
    want = _vectorised_stays(device, t, x, y, rules)
    got = staydetect.detect_stays(device, t, x, y, rules)
    for key in staydetect.STAY_COLUMNS:
        assert got[key].dtype == want[key].dtype, key
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)
    assert len(want["device"]) > 1000


def test_ties_are_read_in_position_order_whatever_order_they_arrive_in() -> None:
    device, t, x, y = _pings(5, devices=80)
    assert (np.diff(t)[np.diff(device.astype(np.int64)) == 0] == 0).sum() > 100  # many ties
    rng = np.random.default_rng(0)
    shuffled = np.lexsort((rng.random(len(t)), t, device))  # ties in random order
    got = staydetect.detect_stays(device[shuffled], t[shuffled], x[shuffled], y[shuffled], RULES)
    want = _vectorised_stays(device, t, x, y, RULES)
    for key in staydetect.STAY_COLUMNS:
        np.testing.assert_array_equal(got[key], want[key], err_msg=key)


def test_tie_groups_number_the_groups_of_equal_device_and_time() -> None:
    device = np.array([1, 1, 1, 1, 2, 2, 3], np.int64)
    t = np.array([5, 5, 6, 6, 6, 6, 6], np.int64)
    rows, group = kernels.tie_groups(kernels.frozen(device, np.int64), kernels.frozen(t, np.int64))
    assert rows.tolist() == [0, 1, 2, 3, 4, 5]
    assert group.tolist() == [0, 0, 1, 1, 2, 2]
    assert len(kernels.tie_groups(kernels.frozen(device[:1], np.int64), kernels.frozen(t[:1], np.int64))[0]) == 0


@pytest.mark.parametrize("length", [1, 2, 7, 8, 9, 15, 16, 17, 127, 128, 129, 130, 257, 1000, 4099])
def test_segment_sums_are_numpys_to_the_last_bit(length: int) -> None:
    values = np.random.default_rng(length).normal(0, 1e6, length + 3)
    want = np.add.reduceat(values, [3])[0]
    assert kernels._segment_sum(kernels.frozen(values, np.float64), 3, length) == want


def test_segment_sums_differ_from_adding_in_order() -> None:
    """Why the pairwise order is reproduced: a plain left-to-right sum misses NumPy's by an ulp or more."""
    rng = np.random.default_rng(1)
    values = [rng.normal(0, 1e6, n) for n in range(200, 300)]
    assert any(sum(v.tolist()) != np.add.reduceat(v, [0])[0] for v in values)


def test_a_kernel_compiles_where_it_cannot_be_cached() -> None:
    namespace: dict[str, object] = {}
    exec(compile("def plus_one(a):\n    return a + 1\n", "<string>", "exec"), namespace)  # no file to cache for
    assert kernels._kernel(namespace["plus_one"])(41) == 42


def test_frozen_arrays_give_each_kernel_one_signature() -> None:
    writable = np.arange(4, dtype=np.int64)
    frozen = kernels.frozen(writable, np.int64)
    assert not frozen.flags.writeable and writable.flags.writeable and np.shares_memory(frozen, writable)
    assert kernels.frozen(writable[::2], np.int64).flags.c_contiguous
    kernels.warm()
    kernels.tie_groups(frozen, frozen)
    kernels.tie_groups(kernels.frozen(np.arange(9, dtype=np.int32), np.int64), frozen)
    assert len(kernels.tie_groups.signatures) == 1
