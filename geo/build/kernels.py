"""Compiled loops (Numba) for the pipeline's scans that NumPy can only do in many passes over the data.

A loop here does in one pass, in the CPU cache, what the vectorised form does in a dozen passes over
main memory; it runs without the GIL, so it shares the machine with DuckDB and the other NumPy threads.
Each kernel is the inner loop of a function in :mod:`geo.build.staysteps` or :mod:`geo.build.staydetect`,
which states the rules and which SQL file they follow; the tests compare each kernel with a NumPy or
plain-Python reference of the same rules.

Numba compiles a kernel on its first call (a few seconds for all of them) and keeps the machine code in
``__pycache__`` (or ``NUMBA_CACHE_DIR``), so later processes load it in milliseconds; ``make setup`` calls
:func:`warm` so that a fresh install compiles once, before anything is timed. Where no cache directory can
be written (a read-only install), kernels compile in each process instead. Callers pass every array
through :func:`frozen`, so each kernel has one signature (one compilation) whatever arrays they hold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np

HOUR_US = 3_600_000_000


def _kernel(func: Callable[..., Any]) -> Any:
    """``func`` compiled without the GIL, cached on disk when a cache directory is writable."""
    try:
        return numba.njit(cache=True, nogil=True)(func)
    except RuntimeError:  # "cannot cache function ...: no locator available": compile per process
        return numba.njit(nogil=True)(func)


def frozen(values: np.ndarray, dtype: type[np.generic]) -> np.ndarray:
    """``values`` as a C-contiguous, read-only array of ``dtype`` (a view where no copy is needed): Numba
    compiles a kernel again for writable and read-only arrays, and Arrow hands over read-only ones."""
    out = np.ascontiguousarray(values, dtype).view()
    out.flags.writeable = False
    return out


def warm() -> None:
    """Compile every kernel for the types the pipeline passes (or load them from the cache)."""
    ints, floats = frozen(np.zeros(2, np.int64), np.int64), frozen(np.zeros(2), np.float64)
    no_ints, no_floats = frozen(np.empty(0, np.int64), np.int64), frozen(np.empty(0), np.float64)
    tie_groups(ints, ints)
    stays(ints, ints, floats, floats, no_ints, no_floats, no_floats, 1.0, 1.0, 1.0, 1)
    presence_rows(ints, ints, ints, ints)
    nearest_places(floats, floats, ints, floats, ints, ints, floats, floats, floats, floats, 0.0, 0.0, 1.0, 1.0,
                   1.0, 1.0)
    table = frozen(np.zeros((2, 1), np.int64), np.int64)
    merge_sums(ints, table, ints, table)


@_kernel
def presence_rows(group: np.ndarray, device: np.ndarray, start: np.ndarray,
                  end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hourly presence of stays sorted by (group, device, start): (group, hour since 1970, unique
    devices, dwell µs) per group and hour a stay covers, in (group, hour) order.

    Each stay covers the hours of [start, end) (none when end <= start) and adds its microseconds in
    each. A device counts once per group and hour: its stays never overlap, so it repeats only when its
    previous stay in the group ended in the hour this one starts, which is then not counted again.
    Each group's hours are accumulated in arrays indexed by hour, so the work is linear in the
    stay-hours: a group's hours are read back in order by a scan of its range of hours, or by a sort of
    its distinct hours when they are sparse in that range.
    """
    n = len(group)
    if n == 0:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0, np.int32), empty
    h_min = start[0] // HOUR_US
    h_max = h_min
    bound = 0
    for i in range(n):
        f = start[i] // HOUR_US
        last = (end[i] - 1) // HOUR_US
        h_min = min(h_min, f)
        h_max = max(h_max, last)
        if last >= f:
            bound += last - f + 1
    span = h_max - h_min + 1
    count = np.zeros(span, np.int32)
    again = np.zeros(span, np.int32)
    dwell = np.zeros(span, np.int64)
    touched = np.empty(span, np.int64)
    out_group = np.empty(bound, np.int64)
    out_hour = np.empty(bound, np.int64)
    out_visitors = np.empty(bound, np.int32)
    out_dwell = np.empty(bound, np.int64)
    m = 0
    i = 0
    while i < n:
        g = group[i]
        n_touched = 0
        lo, hi = span, -1
        j = i
        while j < n and group[j] == g:
            s, e = start[j], end[j]
            f = s // HOUR_US
            last = (e - 1) // HOUR_US
            for h in range(f, last + 1):
                k = h - h_min
                if count[k] == 0:
                    touched[n_touched] = k
                    n_touched += 1
                    lo = min(lo, k)
                    hi = max(hi, k)
                count[k] += 1
                dwell[k] += min(e, (h + 1) * HOUR_US) - max(s, h * HOUR_US)
            if last >= f and j > i and device[j] == device[j - 1] and (end[j - 1] - 1) // HOUR_US == f:
                again[f - h_min] += 1
            j += 1
        if hi - lo + 1 <= 4 * n_touched:  # dense: scan the range
            n_touched = 0
            for k in range(lo, hi + 1):
                if count[k] > 0:
                    touched[n_touched] = k
                    n_touched += 1
            hours = touched[:n_touched]
        else:
            hours = np.sort(touched[:n_touched])
        for k in hours:
            out_group[m] = g
            out_hour[m] = k + h_min
            out_visitors[m] = count[k] - again[k]
            out_dwell[m] = dwell[k]
            m += 1
            count[k] = 0
            again[k] = 0
            dwell[k] = 0
        i = j
    # slices of the buffers sized for every stay-hour: the pages past m were never written, so never mapped
    return out_group[:m], out_hour[:m], out_visitors[:m], out_dwell[:m]


@_kernel
def _pairwise_sum(a: np.ndarray, lo: int, n: int) -> float:
    """NumPy's pairwise sum of ``a[lo:lo + n]`` (the inner loop of ``np.add.reduce`` on float64): in order
    below 8 values, 8 accumulators up to 128, halves above. Reproduced so that sums here equal NumPy's to
    the last bit."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    if n <= 128:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        i = 8
        while i < n - (n % 8):
            r0 += a[lo + i]
            r1 += a[lo + i + 1]
            r2 += a[lo + i + 2]
            r3 += a[lo + i + 3]
            r4 += a[lo + i + 4]
            r5 += a[lo + i + 5]
            r6 += a[lo + i + 6]
            r7 += a[lo + i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[lo + i]
            i += 1
        return res
    n2 = n // 2
    n2 -= n2 % 8
    return _pairwise_sum(a, lo, n2) + _pairwise_sum(a, lo + n2, n - n2)


@_kernel
def _segment_sum(a: np.ndarray, lo: int, n: int) -> float:
    """``np.add.reduceat``'s sum of one segment ``a[lo:lo + n]`` (n >= 1): its first value plus the
    pairwise sum of the rest."""
    if n == 1:
        return a[lo]
    return a[lo] + _pairwise_sum(a, lo + 1, n - 1)


@_kernel
def stays(device: np.ndarray, t: np.ndarray, x: np.ndarray, y: np.ndarray, tie_rows: np.ndarray, tie_x: np.ndarray,
          tie_y: np.ndarray, radius_m: float, max_gap_us: float, min_stay_us: float,
          max_outliers: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stays of pings sorted by (device, t) (``staydetect.detect_stays`` states the rules): (device,
    start, end, x, y, n_pings) per stay, in (device, start) order. The pings at ``tie_rows`` (increasing)
    take their positions from ``tie_x`` and ``tie_y`` (pings of a device at one time, put in position
    order), the others from ``x`` and ``y``.

    One pass: pings join a run while each is within ``radius_m`` of the previous and at most
    ``max_gap_us`` later; a run of two or more pings joins the previous run's stay when at most
    ``max_outliers`` pings lie between them, their centres are within ``radius_m`` and the gap is at most
    ``max_gap_us``; a stay lasting ``min_stay_us`` or more is kept. Centres are ping-weighted means summed
    as ``np.add.reduceat`` sums them.
    """
    n = len(device)
    r2 = radius_m * radius_m
    out_device = np.empty(n // 2 + 1, np.int64)
    out_start = np.empty(n // 2 + 1, np.int64)
    out_end = np.empty(n // 2 + 1, np.int64)
    out_x = np.empty(n // 2 + 1, np.float64)
    out_y = np.empty(n // 2 + 1, np.float64)
    out_pings = np.empty(n // 2 + 1, np.int64)
    wx = np.empty(n // 2 + 1, np.float64)  # the open stay's runs: centre × pings
    wy = np.empty(n // 2 + 1, np.float64)
    m = 0
    runs = 0  # runs in the open stay (0: none open)
    s_device = s_start = s_end = s_pings = 0
    p_device = p_last = p_end = 0  # the previous run
    p_cx = p_cy = 0.0
    n_ties = len(tie_rows)
    q = 0  # the first tie row not before the ping read last (pings are read in order)
    a = 0
    while a < n:
        while q < n_ties and tie_rows[q] < a:
            q += 1
        if q < n_ties and tie_rows[q] == a:
            xa, ya = tie_x[q], tie_y[q]
        else:
            xa, ya = x[a], y[a]
        xb, yb = xa, ya
        b = a  # the run [a, b]
        while b + 1 < n and device[b + 1] == device[b]:
            while q < n_ties and tie_rows[q] < b + 1:
                q += 1
            if q < n_ties and tie_rows[q] == b + 1:
                xn, yn = tie_x[q], tie_y[q]
            else:
                xn, yn = x[b + 1], y[b + 1]
            dx = xn - xb
            dy = yn - yb
            if dx * dx + dy * dy > r2 or (t[b + 1] - t[b]) > max_gap_us:
                break
            b += 1
            xb, yb = xn, yn
        if b > a:
            cx = (xa + xb) / 2
            cy = (ya + yb) / 2
            pings = b - a + 1
            ddx = cx - p_cx
            ddy = cy - p_cy
            joins = (runs > 0 and device[a] == p_device and a - p_last - 1 <= max_outliers
                     and ddx * ddx + ddy * ddy <= r2 and (t[a] - p_end) <= max_gap_us)
            if not joins:
                if runs > 0 and (s_end - s_start) >= min_stay_us:
                    out_device[m], out_start[m], out_end[m], out_pings[m] = s_device, s_start, s_end, s_pings
                    out_x[m] = _segment_sum(wx, 0, runs) / s_pings
                    out_y[m] = _segment_sum(wy, 0, runs) / s_pings
                    m += 1
                runs = 0
                s_device, s_start, s_end, s_pings = device[a], t[a], t[b], 0
            s_end = max(s_end, t[b])
            s_pings += pings
            wx[runs] = cx * pings
            wy[runs] = cy * pings
            runs += 1
            p_device, p_last, p_end, p_cx, p_cy = device[a], b, t[b], cx, cy
        a = b + 1
    if runs > 0 and (s_end - s_start) >= min_stay_us:
        out_device[m], out_start[m], out_end[m], out_pings[m] = s_device, s_start, s_end, s_pings
        out_x[m] = _segment_sum(wx, 0, runs) / s_pings
        out_y[m] = _segment_sum(wy, 0, runs) / s_pings
        m += 1
    return (out_device[:m].copy(), out_start[:m].copy(), out_end[:m].copy(), out_x[:m].copy(), out_y[:m].copy(),
            out_pings[:m].copy())


@_kernel
def tie_groups(device: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of pings sorted by (device, t) that share their device and time with a neighbour, and the
    number of each such group (0, 1, ...), in row order."""
    n = len(device)
    count = 0
    for i in range(1, n):
        if t[i] == t[i - 1] and device[i] == device[i - 1]:
            count += 1
    rows = np.empty(2 * count, np.int64)
    group = np.empty(2 * count, np.int64)
    m = 0
    g = -1
    for i in range(1, n):
        if t[i] == t[i - 1] and device[i] == device[i - 1]:
            if m == 0 or rows[m - 1] != i - 1:  # a new group starts at i - 1
                g += 1
                rows[m] = i - 1
                group[m] = g
                m += 1
            rows[m] = i
            group[m] = g
            m += 1
    return rows[:m].copy(), group[:m].copy()


@_kernel
def nearest_places(lon: np.ndarray, lat: np.ndarray, start: np.ndarray, dwell_minutes: np.ndarray,
                   grid_key: np.ndarray, grid_place: np.ndarray, place_lon: np.ndarray, place_lat: np.ndarray,
                   open_h: np.ndarray, close_h: np.ndarray, ref_lon: float, ref_lat: float, cos_ref: float,
                   side: float, radius_m: float, earth_radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Nearest place open during each stay within ``radius_m`` (``staysteps.match_places`` states the
    rules): (place position or -1, metres rounded to 0.1 or NaN) per stay.

    A stay's candidates are the places filed under its square of the grid (``grid_key`` sorted, each
    place filed under its square and the eight around it); the smallest (decimetres, position) of the
    open ones wins, as one integer key.
    """
    n = len(lon)
    code = np.full(n, -1, np.int32)
    distance = np.full(n, np.nan)
    no_pair = np.iinfo(np.int64).max
    for i in range(n):
        gx = np.int64(np.floor(np.radians(lon[i] - ref_lon) * earth_radius_m * cos_ref / side))
        gy = np.int64(np.floor(np.radians(lat[i] - ref_lat) * earth_radius_m / side))
        key = (gx + (1 << 30)) * (1 << 32) + (gy + (1 << 30))
        j = np.searchsorted(grid_key, key)
        if j >= len(grid_key) or grid_key[j] != key:
            continue
        start_h = (start[i] // 1000 % 86_400_000) / 3600000.0
        end_h = start_h + dwell_minutes[i] / 60
        best = no_pair
        while j < len(grid_key) and grid_key[j] == key:
            p = grid_place[j]
            j += 1
            oh, ch = open_h[p], close_h[p]
            is_open = (np.isnan(oh) or np.isnan(ch) or dwell_minutes[i] >= 1440
                       or (start_h < ch and oh < end_h) or (start_h < ch - 24 and oh - 24 < end_h)
                       or (start_h < ch + 24 and oh + 24 < end_h))
            if not is_open:
                continue
            east = np.radians(place_lon[p] - lon[i]) * np.cos(np.radians((place_lat[p] + lat[i]) / 2))
            north = np.radians(place_lat[p] - lat[i])
            scaled = earth_radius_m * np.sqrt(east * east + north * north) * 10.0
            rounded = np.floor(scaled + 0.5)  # round half away from zero (staysteps.round_positive)
            if rounded - 0.5 > scaled:
                rounded -= 1
            pair = np.int64(rounded) * 4294967296 + (p + 1)
            best = min(best, pair)
        if best != no_pair and (best >> 32) / 10 <= radius_m:
            code[i] = (best & 0xFFFFFFFF) - 1
            distance[i] = (best >> 32) / 10
    return code, distance


@_kernel
def merge_sums(keys_a: np.ndarray, values_a: np.ndarray, keys_b: np.ndarray,
               values_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two runs of integer sums, each with distinct increasing keys and one row of values per key,
    merged into one: (keys, values) with the values of a key in both runs added (``RunningSums``)."""
    na, nb = len(keys_a), len(keys_b)
    width = values_a.shape[1]
    keys = np.empty(na + nb, np.int64)
    values = np.empty((na + nb, width), np.int64)
    i = j = m = 0
    while i < na and j < nb:
        a, b = keys_a[i], keys_b[j]
        if a < b:
            keys[m] = a
            values[m] = values_a[i]
            i += 1
        elif b < a:
            keys[m] = b
            values[m] = values_b[j]
            j += 1
        else:
            keys[m] = a
            for c in range(width):
                values[m, c] = values_a[i, c] + values_b[j, c]
            i += 1
            j += 1
        m += 1
    while i < na:
        keys[m] = keys_a[i]
        values[m] = values_a[i]
        i += 1
        m += 1
    while j < nb:
        keys[m] = keys_b[j]
        values[m] = values_b[j]
        j += 1
        m += 1
    return keys[:m], values[:m]
