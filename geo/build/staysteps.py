"""The pipeline's steps after stay detection, vectorised in NumPy (the ``stream`` engine).

:mod:`geo.staydetect` hands over the stays in (device, start) order. On that order every later step is
a handful of array passes: the nearest open place (a square grid, like ``insert_stays.sql``), the
visitor type (one reduction per device), place visits and trips (comparisons with the previous stay of
the device) and hourly presence (stays expanded into their hours, sorted block by block). Text
columns travel as small integer codes (``-1``: none) and become strings only in the Arrow tables the
writer SQL files read.

Every function states the SQL file whose rules it follows; the reference engine (``engine="sql"``)
runs those files, and the tests run every exact pipeline test on both engines and compare their four
output tables on simulated flows. Rounding is DuckDB's: ``round`` is C's round half away from zero, and
times are whole microseconds (floor division matches DuckDB's for times after 1970).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.vocab import EARTH_RADIUS_M

HOUR_US = 3_600_000_000
DAY_US = 86_400_000_000
MINUTE_US = 60_000_000

#: Visitor type codes: positions in ``geo.vocab.VISITOR_TYPES``, as written to ``stays.visitor_type``.
RESIDENT, OVERNIGHT, DAY_TRIPPER = 0, 1, 2

#: Stays per block of the place matching. Small blocks keep each block's temporaries (~10 candidate
#: pairs per stay, a dozen arrays) in the CPU cache and in memory the allocator reuses: on the 0.8M stays
#: of 20M pings, 8,192 took 0.14 s on two threads against 0.19–0.42 s for blocks of 2**20 (fresh pages
#: for every temporary), and 2,048–16,384 were alike.
MATCH_BLOCK = 1 << 13

#: Stay-hours per block of the hourly presence step (its keys sorted block by block, in the CPU cache).
PRESENCE_BLOCK = 1 << 18

_NO_PAIR = np.iinfo(np.int64).max


def c_round(values: np.ndarray) -> np.ndarray:
    """Round half away from zero, as C's ``round`` and DuckDB's ``round()`` (NumPy rounds half to even)."""
    whole = np.trunc(values)
    return whole + np.where(np.abs(values - whole) >= 0.5, np.sign(values), 0.0)


def round_positive(values: np.ndarray) -> np.ndarray:
    """``c_round`` for values ≥ 0 (below 2**52), in fewer passes: floor(v + 0.5), less one where the
    addition rounded up past the true sum, i.e. where v < r - 0.5 (r - 0.5 is exact for whole r, so the
    test is too; r - v is not, for v below 1)."""
    rounded = np.floor(values + 0.5)
    rounded[rounded - 0.5 > values] -= 1
    return rounded


def to_degrees(x: np.ndarray, y: np.ndarray, ref_lon: float, ref_lat: float) -> tuple[np.ndarray, np.ndarray]:
    """Projected metres back to WGS84 (lon, lat), as ``create_stay_candidates.sql``."""
    lon = ref_lon + np.degrees(x / (EARTH_RADIUS_M * np.cos(np.radians(ref_lat))))
    lat = ref_lat + np.degrees(y / EARTH_RADIUS_M)
    return lon, lat


def device_heads(device: np.ndarray) -> np.ndarray:
    """Index of each device's first row in rows sorted by device."""
    if len(device) == 0:
        return np.empty(0, np.int64)
    return np.flatnonzero(np.concatenate(([True], device[1:] != device[:-1])))


def per_device(values: np.ndarray, heads: np.ndarray, n: int) -> np.ndarray:
    """Broadcast one value per device (at ``heads``) back to its ``n`` rows."""
    return np.repeat(values, np.diff(np.append(heads, n)))


def spans_hour(start: np.ndarray, end: np.ndarray, hour: int) -> np.ndarray:
    """True where [start, end] (microseconds, local) includes ``hour``:00 of some day (starts before it)."""
    shift = hour * HOUR_US
    return (start - shift) // DAY_US < (end - shift) // DAY_US


def visitor_types(device: np.ndarray, resident: np.ndarray, slept: np.ndarray) -> np.ndarray:
    """Visitor type code per stay (``insert_stays.sql``): resident segment, else overnight when one of the
    device's stays spans the night hour, else day tripper."""
    n = len(device)
    if n == 0:
        return np.empty(0, np.int8)
    heads = device_heads(device)
    overnight = per_device(np.logical_or.reduceat(slept, heads), heads, n)
    return np.where(resident, RESIDENT, np.where(overnight, OVERNIGHT, DAY_TRIPPER)).astype(np.int8)


def rounded_points(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distinct centres rounded to 1e-4° (``stay_coordinates.sql``): (lat4, lon4, index of each stay's)."""
    lat_i = c_round(lat * 10000.0).astype(np.int64)
    lon_i = c_round(lon * 10000.0).astype(np.int64)
    key = (lat_i + (1 << 20)) * (1 << 22) + (lon_i + (1 << 21))  # |lat| ≤ 90e4 < 2^20, |lon| ≤ 180e4 < 2^21
    index, uniq = factorize(key)
    lat4 = ((uniq >> 22) - (1 << 20)) / 10000.0
    lon4 = ((uniq & ((1 << 22) - 1)) - (1 << 21)) / 10000.0
    return lat4, lon4, index


def centre_keys(lat4: np.ndarray, lon4: np.ndarray) -> np.ndarray:
    """The integer key ``rounded_points`` gives each rounded centre (lat4, lon4), for lookups across runs."""
    lat_i = np.rint(np.asarray(lat4, float) * 10000.0).astype(np.int64)
    lon_i = np.rint(np.asarray(lon4, float) * 10000.0).astype(np.int64)
    return (lat_i + (1 << 20)) * (1 << 22) + (lon_i + (1 << 21))


@dataclass(frozen=True)
class PlacePoints:
    """The places a stay can match, sorted by place_id (code = position, rank = code + 1)."""

    place_id: Sequence[str]
    lon: np.ndarray
    lat: np.ndarray
    open_h: np.ndarray   # local hour, NaN when always open
    close_h: np.ndarray  # local hour (+24 when closing after midnight), NaN when always open


def place_points(place_id: Sequence[str], lon: np.ndarray, lat: np.ndarray, open_hour: np.ndarray,
                 close_hour: np.ndarray) -> PlacePoints:
    """Places sorted by id with opening hours as ``insert_stays.sql`` reads them (NaN = no hours)."""
    order = sorted(range(len(place_id)), key=lambda i: place_id[i])
    ids = [place_id[i] for i in order]
    open_h = np.asarray(open_hour, dtype=float)[order]
    close = np.asarray(close_hour, dtype=float)[order]
    close_h = np.where(close > open_h, close, close + 24)
    return PlacePoints(ids, np.asarray(lon, float)[order], np.asarray(lat, float)[order], open_h, close_h)


def match_places(
    lon: np.ndarray,
    lat: np.ndarray,
    start: np.ndarray,
    dwell_minutes: np.ndarray,
    places: PlacePoints,
    ref_lon: float,
    ref_lat: float,
    radius_m: float,
    workers: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest place open during each stay within ``radius_m`` (``insert_stays.sql``): (code, metres).

    Candidates come from a grid of squares 1.1 × the radius wide (each place copied into its square and
    the eight around it); the distance is rounded to 0.1 m and ties go to the smallest place_id. Code
    -1 and NaN where no place matches. Blocks of stays run on ``workers`` threads (NumPy releases the
    GIL), at most ``MATCH_BLOCK`` stays per block.
    """
    n = len(lon)
    code = np.full(n, -1, np.int32)
    distance = np.full(n, np.nan)
    if n == 0 or len(places.place_id) == 0:
        return code, distance
    side = radius_m * 1.1
    cos_ref = np.cos(np.radians(ref_lat))

    def squares(x_lon: np.ndarray, y_lat: np.ndarray) -> np.ndarray:
        gx = np.floor(np.radians(x_lon - ref_lon) * EARTH_RADIUS_M * cos_ref / side).astype(np.int64)
        gy = np.floor(np.radians(y_lat - ref_lat) * EARTH_RADIUS_M / side).astype(np.int64)
        return (gx + (1 << 30)) * (1 << 32) + (gy + (1 << 30))

    shifts = np.array([-1, 0, 1])
    metres_x = np.radians(places.lon - ref_lon) * EARTH_RADIUS_M * cos_ref
    metres_y = np.radians(places.lat - ref_lat) * EARTH_RADIUS_M
    # each place copied into its square and the eight around it
    pgx = np.floor(metres_x / side).astype(np.int64)
    pgy = np.floor(metres_y / side).astype(np.int64)
    gx = np.broadcast_to(pgx[:, None, None] + shifts[None, :, None], (len(pgx), 3, 3)).ravel()
    gy = np.broadcast_to(pgy[:, None, None] + shifts[None, None, :], (len(pgy), 3, 3)).ravel()
    grid_key = (gx + (1 << 30)) * (1 << 32) + (gy + (1 << 30))
    grid_place = np.repeat(np.arange(len(places.place_id)), 9)
    order = np.argsort(grid_key, kind="stable")
    grid_key, grid_place = grid_key[order], grid_place[order]
    # hour of day the stay starts (whole milliseconds, as epoch_ms) and ends, fractional
    start_h = (start // 1000 % 86_400_000) / 3600000.0
    end_h = start_h + dwell_minutes / 60

    def block(a: int, b: int) -> None:
        keys = squares(lon[a:b], lat[a:b])
        lo = np.searchsorted(grid_key, keys, "left")
        count = np.searchsorted(grid_key, keys, "right") - lo
        total = int(count.sum())
        if total == 0:
            return
        offsets = np.cumsum(count) - count
        stay = np.repeat(np.arange(a, b), count)
        place = grid_place[np.repeat(lo - offsets, count) + np.arange(total)]
        plon, plat, slon, slat = places.lon[place], places.lat[place], lon[stay], lat[stay]
        east = np.radians(plon - slon) * np.cos(np.radians((plat + slat) / 2))
        north = np.radians(plat - slat)
        metres = EARTH_RADIUS_M * np.sqrt(east * east + north * north)
        # round(round(m, 1) * 10): k / 10 * 10 is within an ulp of k, so this is round(m * 10)
        decimetres = round_positive(metres * 10.0).astype(np.int64)
        oh, ch, sh, eh = places.open_h[place], places.close_h[place], start_h[stay], end_h[stay]
        is_open = (
            np.isnan(oh) | np.isnan(ch) | (dwell_minutes[stay] >= 1440)
            | ((sh < ch) & (oh < eh)) | ((sh < ch - 24) & (oh - 24 < eh)) | ((sh < ch + 24) & (oh + 24 < eh))
        )
        pair_key = np.where(is_open, decimetres * 4294967296 + (place + 1), _NO_PAIR)
        has = count > 0
        nearest = np.minimum.reduceat(pair_key, offsets[has])
        within = (nearest != _NO_PAIR) & ((nearest >> 32) / 10 <= radius_m)
        rows = np.flatnonzero(has)[within] + a
        code[rows] = (nearest[within] & 0xFFFFFFFF) - 1
        distance[rows] = (nearest[within] >> 32) / 10

    parts = max(workers, -(-n // MATCH_BLOCK))
    bounds = np.linspace(0, n, parts + 1).astype(np.int64)
    spans = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]
    if workers > 1 and len(spans) > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="match-places") as pool:
            list(pool.map(lambda span: block(*span), spans))
    else:
        for a, b in spans:
            block(a, b)
    return code, distance


def place_visits(device: np.ndarray, start: np.ndarray, end: np.ndarray, place: np.ndarray,
                 merge_gap_us: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Visits from stays in (device, start) order (``insert_place_visits.sql``).

    A stay at a place continues the visit of the device's previous stay when that stay was at the same
    place and ended at most ``merge_gap_us`` earlier. Returns (row of each visit's first stay, visit
    end, stays in the visit).
    """
    n = len(device)
    continues = np.zeros(n, dtype=bool)
    if n > 1:
        continues[1:] = (
            (device[1:] == device[:-1]) & (place[1:] >= 0) & (place[1:] == place[:-1])
            & ((start[1:] - end[:-1]) <= merge_gap_us)
        )
    rows = np.flatnonzero(place >= 0)
    if len(rows) == 0:
        empty = np.empty(0, np.int64)
        return empty, empty, empty
    heads = np.flatnonzero(~continues[rows])
    visit_end = np.maximum.reduceat(end[rows], heads)
    n_stays = np.diff(np.append(heads, len(rows)))
    return rows[heads], visit_end, n_stays


def factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(dense code of each value, distinct values) with codes in order of first appearance (hashing)."""
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), np.asarray(uniques)


def combine_codes(columns: Sequence[tuple[np.ndarray, int]]) -> np.ndarray:
    """One dense code per distinct combination of non-negative integer columns given with their sizes.

    Multiplies the columns into one integer while the product fits in 62 bits, else re-factorises the
    running code first, so no size of input overflows.
    """
    code, size = columns[0][0].astype(np.int64), columns[0][1]
    for values, n in columns[1:]:
        if size * n >= 1 << 62:
            code, uniques = factorize(code)
            size = len(uniques)
        code = code * n + values
        size *= n
    return factorize(code)[0]


@dataclass(frozen=True)
class Presence:
    """Hourly presence rows (``insert_visits_hourly.sql``): one per (group, hour) with the row of a stay
    of the group (for cell, zone, segment and visitor type)."""

    hour_us: np.ndarray      # local hour start, microseconds
    group_row: np.ndarray    # a stay of the group
    visitors: np.ndarray     # unique devices
    dwell_minutes: np.ndarray


def hourly_presence(device: np.ndarray, start: np.ndarray, end: np.ndarray, group: np.ndarray,
                    block_hours: int = PRESENCE_BLOCK) -> Presence:
    """Unique devices and minutes per stay group × hour from stays in (device, start) order.

    Each stay covers the hours of [start, end). A device is counted once per group and hour: its stays
    never overlap, so it can repeat only when its previous stay in the same group ended in the hour the
    next one starts, and that first hour is then not counted again. Minutes are whole microseconds
    summed exactly (full hours in the middle of a stay, partial first and last hours).

    Linear in the stay-hours: the stays are put in group order once (one sort of the stays, not of
    their hours), then cut at group boundaries into blocks of about ``block_hours`` stay-hours, and each
    block's (group, hour) keys are sorted on their own, small enough to stay in the CPU cache. Blocks
    hold consecutive groups, so their rows, concatenated, are in (group, hour) order, as one sort of
    every key gives them.
    """
    n = len(device)
    if n == 0:
        empty = np.empty(0, np.int64)
        return Presence(empty, empty, empty.astype(np.int32), empty.astype(float))
    first_h = start // HOUR_US
    last_h = (end - 1) // HOUR_US
    n_hours = last_h - first_h + 1
    h_min = int(first_h.min())
    span = int(last_h.max()) - h_min + 1
    order = stable_order(group)  # (group, device, start)
    g, f, nh = group[order], first_h[order] - h_min, n_hours[order]
    dev, e, s = device[order], end[order], start[order]
    # the first hour was already counted: previous stay of the device in the same group ended in it
    counted = np.zeros(n, dtype=bool)
    counted[1:] = (g[1:] == g[:-1]) & (dev[1:] == dev[:-1]) & ((e[:-1] - 1) // HOUR_US - h_min == f[1:])
    del dev
    multi = nh > 1
    first_part = np.where(multi, (f + h_min + 1) * HOUR_US, e) - s
    last_part = e - (f + h_min + nh - 1) * HOUR_US  # used where multi
    del e, s
    # blocks of whole groups, about block_hours stay-hours each
    before = np.cumsum(nh) - nh  # stay-hours before each stay
    heads = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
    targets = np.arange(block_hours, int(before[-1] + nh[-1]), block_hours)
    cuts = np.unique(np.concatenate(([0], heads[np.searchsorted(before[heads], targets, side="right") - 1], [n])))
    parts: list[tuple[np.ndarray, ...]] = []
    for a, b in zip(cuts[:-1].tolist(), cuts[1:].tolist(), strict=True):
        g0 = int(g[a])
        base = (g[a:b] - g0) * span + f[a:b]  # key of each stay's first hour, in the block
        hours = nh[a:b]
        total = int(hours.sum())
        keys = np.repeat(base - (before[a:b] - before[a]), hours)
        keys += np.arange(total)
        keys.sort()
        starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        ukeys = keys[starts]
        rows_per_key = np.diff(np.append(starts, total))
        del keys
        m = len(ukeys)
        many = multi[a:b]
        first_at = _positions(ukeys, base)
        last_at = _positions(ukeys, base[many] + hours[many] - 1)
        partial = np.bincount(first_at, minlength=m) + np.bincount(last_at, minlength=m)
        partial_us = (np.bincount(first_at, weights=first_part[a:b].astype(float), minlength=m)
                      + np.bincount(last_at, weights=last_part[a:b][many].astype(float), minlength=m))
        dwell_us = (rows_per_key - partial).astype(float) * float(HOUR_US) + partial_us
        visitors = rows_per_key - np.bincount(first_at[counted[a:b]], minlength=m)
        parts.append((ukeys % span + h_min, ukeys // span + g0, visitors, dwell_us))
    hour, key_group, visitors, dwell_us = (np.concatenate(c) for c in zip(*parts, strict=True))
    group_first = np.empty(int(g[-1]) + 1, np.int64)
    group_first[g[heads]] = order[heads]  # first stay of each group
    return Presence(
        hour_us=hour * HOUR_US,
        group_row=group_first[key_group],
        visitors=visitors.astype(np.int32),
        dwell_minutes=dwell_us / 60000000.0,
    )


def stable_order(codes: np.ndarray) -> np.ndarray:
    """``np.argsort(codes, kind="stable")`` for non-negative integer codes, by one unstable sort of
    ``code · n + index`` (distinct keys, so any sort is stable; NumPy's SIMD sort, not its timsort)."""
    n = len(codes)
    if n == 0 or int(codes.max()) >= (1 << 62) // max(n, 1):
        return np.argsort(codes, kind="stable")
    keys = codes.astype(np.int64) * n + np.arange(n)
    keys.sort()
    return keys % n


def _positions(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Index of each of ``keys`` in ``sorted_keys`` (all present). Looked up in sorted order: NumPy's
    binary search starts from the previous hit, ~10× faster than random lookups in a big array."""
    order = np.argsort(keys)
    at = np.empty(len(keys), np.int64)
    at[order] = np.searchsorted(sorted_keys, keys[order])
    return at


def moves(device: np.ndarray, end: np.ndarray, spot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Moves between spots (``insert_trips.sql``), stays in (device, start) order, ``spot`` -1 = none.

    A stay at a spot is a move's destination when the device's previous stay at a spot was at another
    one. Returns (destination rows, origin rows).
    """
    n = len(device)
    valid = spot >= 0
    last = np.maximum.accumulate(np.where(valid, np.arange(n), -1)) if n else np.empty(0, np.int64)
    prev = np.full(n, -1, np.int64)
    prev[1:] = last[:-1]
    dest = np.flatnonzero(valid & (prev >= 0))
    origin = prev[dest]
    keep = (device[origin] == device[dest]) & (spot[origin] != spot[dest])
    return dest[keep], origin[keep]


def decode(codes: np.ndarray, names: Sequence[str]) -> pa.Array:
    """Strings for integer codes (-1: null) as an Arrow array."""
    codes = np.asarray(codes, dtype=np.int32)
    indices = pa.array(codes, type=pa.int32(), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), type=pa.string())).dictionary_decode()


def timestamps(us: np.ndarray) -> pa.Array:
    """Local timestamps (no time zone) from microseconds."""
    return pa.array(np.asarray(us, dtype=np.int64), type=pa.timestamp("us"))


class DenseIds:
    """Dense ids (0, 1, 2, ...) for 64-bit values, kept over many calls: a value keeps the id it was first
    given (ids in order of first appearance; within one call, in value order)."""

    def __init__(self) -> None:
        self.values = np.empty(0, np.uint64)  # value of each id
        self._sorted = np.empty(0, np.uint64)  # the values in order, and their ids
        self._ids = np.empty(0, np.int64)

    def __len__(self) -> int:
        return len(self.values)

    def ids(self, values: np.ndarray) -> np.ndarray:
        """Id of each value; values not seen before get the next ids."""
        unique, inverse = np.unique(np.asarray(values, np.uint64), return_inverse=True)
        at = np.searchsorted(self._sorted, unique)
        known = at < len(self._sorted)
        known[known] = self._sorted[at[known]] == unique[known]
        out = np.empty(len(unique), np.int64)
        out[known] = self._ids[at[known]]
        new = ~known
        new_ids = np.arange(len(self.values), len(self.values) + int(new.sum()), dtype=np.int64)
        out[new] = new_ids
        if len(new_ids):
            self.values = np.concatenate([self.values, unique[new]])
            self._sorted = np.insert(self._sorted, at[new], unique[new])
            self._ids = np.insert(self._ids, at[new], new_ids)
        return out[inverse.ravel()]


#: RunningSums merges its pending runs into its totals once they hold this share of the totals' keys
#: (or ``RUNNING_SUMS_FLOOR`` rows): each merge moves every total once, so merging a few partitions at a
#: time instead of each one divides that cost, for the memory of the pending runs.
RUNNING_SUMS_SHARE = 1.0
RUNNING_SUMS_FLOOR = 1 << 20


class RunningSums:
    """Integer sums per int64 key, added up over many calls and kept in key order (memory: the distinct
    keys, not the rows added, plus the runs not merged yet). Out-of-core pipeline runs add each device
    partition's partial hourly presence and trip counts here; sums of integers are exact in any order.

    Added runs wait (sorted) until they hold ``RUNNING_SUMS_SHARE`` of the totals' keys, then are summed
    among themselves (one stable sort of their concatenation, which merges the sorted runs) and merged
    into the totals: the totals move once per merge, not once per call.
    """

    def __init__(self, dtypes: Sequence[type[np.integer]]) -> None:
        """Sums of ``len(dtypes)`` values, each kept in its integer type (which must hold every total)."""
        self._dtypes = list(dtypes)
        self._keys = np.empty(0, np.int64)
        self._values = [np.empty(0, t) for t in self._dtypes]
        self._pending: list[tuple[np.ndarray, list[np.ndarray]]] = []
        self._pending_rows = 0

    @property
    def keys(self) -> np.ndarray:
        """Every key added so far, increasing."""
        self._flush()
        return self._keys

    @property
    def values(self) -> list[np.ndarray]:
        """The sums of each value under ``keys``."""
        self._flush()
        return self._values

    def add(self, keys: np.ndarray, values: Sequence[np.ndarray], *, presorted: bool = False) -> None:
        """Add ``values`` (one array per sum) under ``keys`` (distinct within the call; ``presorted``: given
        in increasing order, which is checked)."""
        keys = np.asarray(keys, np.int64)
        if presorted and len(keys) > 1 and not bool((keys[1:] > keys[:-1]).all()):
            msg = "keys given as presorted are not distinct and increasing"
            raise ValueError(msg)
        if len(values) != len(self._values):
            msg = f"{len(self._values)} value arrays expected, got {len(values)}"
            raise ValueError(msg)
        if not len(keys):
            return
        if not presorted:
            order = np.argsort(keys, kind="stable")
            keys, values = keys[order], [np.asarray(v)[order] for v in values]
        self._pending.append((keys, [np.asarray(v, t) for v, t in zip(values, self._dtypes, strict=True)]))
        self._pending_rows += len(keys)
        if self._pending_rows >= max(int(len(self._keys) * RUNNING_SUMS_SHARE), RUNNING_SUMS_FLOOR):
            self._flush()

    def _flush(self) -> None:
        """Sum the pending runs and merge them into the totals."""
        if not self._pending:
            return
        if len(self._pending) == 1:
            keys, values = self._pending[0]
        else:
            keys = np.concatenate([k for k, _ in self._pending])
            order = np.argsort(keys, kind="stable")  # a merge of sorted runs (timsort)
            keys = keys[order]
            heads = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))  # runs are never empty
            values = [np.add.reduceat(np.concatenate([v[i] for _, v in self._pending])[order], heads)
                      for i in range(len(self._values))]
            keys = keys[heads]
        self._pending, self._pending_rows = [], 0
        self._merge(keys, values)

    def _merge(self, keys: np.ndarray, values: list[np.ndarray]) -> None:
        """Add distinct increasing ``keys`` and their ``values`` into the totals."""
        at = np.searchsorted(self._keys, keys)
        hit = at < len(self._keys)
        hit[hit] = self._keys[at[hit]] == keys[hit]
        for total, part in zip(self._values, values, strict=True):
            total[at[hit]] += part[hit]
        new = np.flatnonzero(~hit)
        if len(new):
            # merge the new keys in: their places in the longer arrays, computed once for every array
            at_new = at[new] + np.arange(len(new))
            size = len(self._keys) + len(new)
            old = np.ones(size, bool)
            old[at_new] = False
            at_old = np.flatnonzero(old)
            del old
            self._keys = _merged(self._keys, keys[new], at_old, at_new)
            self._values = [_merged(total, part[new], at_old, at_new)
                            for total, part in zip(self._values, values, strict=True)]


def _merged(old: np.ndarray, new: np.ndarray, at_old: np.ndarray, at_new: np.ndarray) -> np.ndarray:
    """``old`` and ``new`` placed at ``at_old`` and ``at_new`` of one array."""
    out = np.empty(len(old) + len(new), old.dtype)
    out[at_old] = old
    out[at_new] = new
    return out


def packed_key(high: np.ndarray, low: np.ndarray) -> np.ndarray:
    """One sortable int64 key from ``high`` (-2³¹ <= high < 2³¹: a dense id or hours or days since 1970)
    and ``low`` (0 <= low < 2³²). Raises ``ValueError`` if either does not fit."""
    high, low = np.asarray(high, np.int64), np.asarray(low, np.int64)
    if len(low) and (int(low.min()) < 0 or int(low.max()) >= 1 << 32):
        msg = "a packed key's low part must be in 0..2**32-1"
        raise ValueError(msg)
    if len(high) and (int(high.min()) < -(1 << 31) or int(high.max()) >= 1 << 31):
        msg = "a packed key's high part must be in -2**31..2**31-1"
        raise ValueError(msg)
    return (high << np.int64(32)) | low


def unpack_key(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(high, low) of keys made by :func:`packed_key`."""
    return keys >> np.int64(32), keys & np.int64(0xFFFFFFFF)


def block_rows(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Row numbers of blocks of consecutive rows (``starts[i]`` .. ``starts[i] + lengths[i] - 1``), block
    after block: reorders blocks of rows without sorting the rows."""
    total = int(lengths.sum())
    before = np.cumsum(lengths) - lengths
    return np.repeat(np.asarray(starts, np.int64) - before, lengths) + np.arange(total, dtype=np.int64)


def pack_fields(fields: Sequence[tuple[np.ndarray, int]]) -> np.ndarray:
    """Non-negative integer fields, each given with its width in bits (most significant first), packed
    into one uint64. Raises ``ValueError`` if the widths add up to more than 64 or a value does not fit."""
    if sum(bits for _, bits in fields) > 64:
        msg = "packed fields need more than 64 bits"
        raise ValueError(msg)
    out = np.zeros(len(fields[0][0]) if fields else 0, np.uint64)
    for values, bits in fields:
        values = np.asarray(values)
        if len(values) and (int(values.min()) < 0 or int(values.max()) >= 1 << bits):
            msg = f"a packed field holds a value outside 0..2**{bits}-1"
            raise ValueError(msg)
        out = (out << np.uint64(bits)) | values.astype(np.uint64)
    return out


def unpack_fields(packed: np.ndarray, widths: Sequence[int]) -> list[np.ndarray]:
    """The fields :func:`pack_fields` packed with these widths (most significant first), as int64."""
    out = []
    shift = sum(widths)
    for bits in widths:
        shift -= bits
        out.append(((packed >> np.uint64(shift)) & np.uint64((1 << bits) - 1)).astype(np.int64))
    return out
