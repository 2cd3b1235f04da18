"""The pipeline's steps after stay detection, in NumPy and compiled loops (the ``stream`` engine).

:mod:`geo.staydetect` hands over the stays in (device, start) order. On that order every later step is
a handful of array passes or one compiled pass (``geo.build.kernels``): the nearest open place (a square
grid, like ``insert_stays.sql``), the visitor type (one reduction per device), place visits and trips
(comparisons with the previous stay of the device) and hourly presence (the stays in group order). Text
columns travel as small integer codes (``-1``: none) and become strings only in the Arrow tables the
writer SQL files read.

Every function states the SQL file whose rules it follows; the reference engine (``engine="sql"``)
runs those files, and the tests run every exact pipeline test on both engines and compare their four
output tables on simulated flows. Rounding is DuckDB's: ``round`` is C's round half away from zero, and
times are whole microseconds (floor division matches DuckDB's for times after 1970).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.build import kernels
from geo.vocab import EARTH_RADIUS_M

HOUR_US = 3_600_000_000
DAY_US = 86_400_000_000
MINUTE_US = 60_000_000

#: Visitor type codes: positions in ``geo.vocab.VISITOR_TYPES``, as written to ``stays.visitor_type``.
RESIDENT, OVERNIGHT, DAY_TRIPPER = 0, 1, 2


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


def rounded_points(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct centres rounded to 1e-4° (``stay_coordinates.sql``), in the order of their integer keys:
    (key, lat4, lon4, index of each stay's). Equal keys are equal rounded centres, across calls."""
    lat_i = c_round(lat * 10000.0).astype(np.int64)
    lon_i = c_round(lon * 10000.0).astype(np.int64)
    key = (lat_i + (1 << 20)) * (1 << 22) + (lon_i + (1 << 21))  # |lat| ≤ 90e4 < 2^20, |lon| ≤ 180e4 < 2^21
    uniq, index = np.unique(key, return_inverse=True)
    lat4 = ((uniq >> 22) - (1 << 20)) / 10000.0
    lon4 = ((uniq & ((1 << 22) - 1)) - (1 << 21)) / 10000.0
    return uniq, lat4, lon4, index.ravel()


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


@dataclass(frozen=True)
class PlaceGrid:
    """The places a stay can match, put into a grid of squares for ``match_places`` (``place_grid``):
    made once per run, not per batch of stays."""

    places: PlacePoints
    grid_key: np.ndarray    # square of each (place, square) pair, increasing
    grid_place: np.ndarray  # place code of each pair
    ref_lon: float
    ref_lat: float
    cos_ref: float
    side: float             # square width, metres
    radius_m: float


def place_grid(places: PlacePoints, ref_lon: float, ref_lat: float, radius_m: float) -> PlaceGrid:
    """The grid ``match_places`` looks places up in: squares 1.1 × ``radius_m`` wide in metres east and
    north of the reference point, each place copied into its square and the eight around it, so a stay's
    own square lists every place within the radius."""
    side = radius_m * 1.1
    cos_ref = float(np.cos(np.radians(ref_lat)))
    shifts = np.array([-1, 0, 1])
    metres_x = np.radians(places.lon - ref_lon) * EARTH_RADIUS_M * cos_ref
    metres_y = np.radians(places.lat - ref_lat) * EARTH_RADIUS_M
    pgx = np.floor(metres_x / side).astype(np.int64)
    pgy = np.floor(metres_y / side).astype(np.int64)
    gx = np.broadcast_to(pgx[:, None, None] + shifts[None, :, None], (len(pgx), 3, 3)).ravel()
    gy = np.broadcast_to(pgy[:, None, None] + shifts[None, None, :], (len(pgy), 3, 3)).ravel()
    grid_key = (gx + (1 << 30)) * (1 << 32) + (gy + (1 << 30))
    grid_place = np.repeat(np.arange(len(places.place_id), dtype=np.int64), 9)
    order = np.argsort(grid_key, kind="stable")
    frozen, f64 = kernels.frozen, np.float64
    frozen_places = PlacePoints(places.place_id, frozen(places.lon, f64), frozen(places.lat, f64),
                                frozen(places.open_h, f64), frozen(places.close_h, f64))
    return PlaceGrid(frozen_places, frozen(grid_key[order], np.int64), frozen(grid_place[order], np.int64),
                     float(ref_lon), float(ref_lat), cos_ref, float(side), float(radius_m))


def match_places(
    lon: np.ndarray, lat: np.ndarray, start: np.ndarray, dwell_minutes: np.ndarray, grid: PlaceGrid,
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest place open during each stay within the grid's radius (``insert_stays.sql``): (code, metres).

    Candidates come from the grid (``place_grid``); the distance is rounded to 0.1 m and ties go to the
    smallest place_id. A place with opening hours is open during a stay when the stay's hours of day
    overlap them (on the day before, of or after), or the stay lasts a day or more. Code -1 and NaN where
    no place matches. The stays are matched in one compiled pass (``kernels.nearest_places``).
    """
    n = len(lon)
    places = grid.places
    if n == 0 or len(places.place_id) == 0:
        return np.full(n, -1, np.int32), np.full(n, np.nan)
    frozen, f64 = kernels.frozen, np.float64
    return kernels.nearest_places(
        frozen(lon, f64), frozen(lat, f64), frozen(start, np.int64), frozen(dwell_minutes, f64),
        grid.grid_key, grid.grid_place, places.lon, places.lat, places.open_h, places.close_h,
        grid.ref_lon, grid.ref_lat, grid.cos_ref, grid.side, grid.radius_m, float(EARTH_RADIUS_M))


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
    """Hourly presence rows (``insert_visits_hourly.sql``): one per (group, hour), in (group, hour) order,
    with the group's code and, through ``group_first``, the row of a stay of the group (for cell, zone,
    segment and visitor type)."""

    hour: np.ndarray         # local hour start, hours since 1970
    group: np.ndarray        # the row's group code
    group_first: np.ndarray  # a stay of each group code (indexed by code; only the rows' codes are set)
    visitors: np.ndarray     # unique devices
    dwell_us: np.ndarray     # whole microseconds (partitions add up exactly)

    @property
    def hour_us(self) -> np.ndarray:
        """The local hour start in microseconds since 1970."""
        return self.hour * HOUR_US

    @property
    def group_row(self) -> np.ndarray:
        """A stay of each row's group."""
        return self.group_first[self.group]

    @property
    def dwell_minutes(self) -> np.ndarray:
        """The dwell in minutes, as ``insert_visits_hourly.sql`` stores it."""
        return self.dwell_us / 60000000.0


def hourly_presence(device: np.ndarray, start: np.ndarray, end: np.ndarray, group: np.ndarray) -> Presence:
    """Unique devices and minutes per stay group × hour from stays in (device, start) order.

    Each stay covers the hours of [start, end). A device is counted once per group and hour: its stays
    never overlap, so it can repeat only when its previous stay in the same group ended in the hour the
    next one starts, and that first hour is then not counted again. Minutes are whole microseconds
    summed exactly (full hours in the middle of a stay, partial first and last hours).

    Linear in the stay-hours: the stays are put in group order once (one sort of the stays, not of
    their hours), then one compiled pass (``kernels.presence_rows``) adds each group's stay-hours up in
    arrays indexed by hour. Rows come out in (group, hour) order.
    """
    if len(device) == 0:
        empty = np.empty(0, np.int64)
        return Presence(empty, empty.copy(), empty.copy(), empty.astype(np.int32), empty.copy())
    order = stable_order(group)  # (group, device, start)
    frozen = kernels.frozen
    key_group, hour, visitors, dwell_us = kernels.presence_rows(
        frozen(group[order], np.int64), frozen(np.asarray(device, np.uint64)[order].view(np.int64), np.int64),
        frozen(start[order], np.int64), frozen(end[order], np.int64))
    g = group[order]
    heads = np.flatnonzero(np.concatenate(([True], g[1:] != g[:-1])))
    group_first = np.empty(int(g[-1]) + 1, np.int64)
    group_first[g[heads]] = order[heads]  # first stay of each group
    return Presence(hour=hour, group=key_group, group_first=group_first, visitors=visitors, dwell_us=dwell_us)


def stable_order(codes: np.ndarray) -> np.ndarray:
    """``np.argsort(codes, kind="stable")`` for non-negative integer codes, by one unstable sort of
    ``code · n + index`` (distinct keys, so any sort is stable; NumPy's SIMD sort, not its timsort)."""
    n = len(codes)
    if n == 0 or int(codes.max()) >= (1 << 62) // max(n, 1):
        return np.argsort(codes, kind="stable")
    keys = codes.astype(np.int64) * n + np.arange(n)
    keys.sort()
    return keys % n


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
    """Integer sums per int64 key, added up over many calls and kept in key order. Out-of-core pipeline
    runs add each device partition's partial hourly presence and trip counts here; sums of integers are
    exact in any order.

    Sums are kept as int64 (one row of values per key) and handed back in the types given. Added runs
    wait (sorted) until they hold ``RUNNING_SUMS_SHARE`` of the totals' keys, then are merged pairwise and
    into the totals by a compiled linear merge (``kernels.merge_sums``): the totals move once per flush,
    not once per call.

    Memory: the distinct keys and the runs not merged yet, up to ``spill_rows`` keys. Past that the totals
    are written to a sorted run on disk (``spill_dir``, a temporary folder removed by ``close`` or once
    ``slices`` has handed everything over) and start again from nothing, so memory stays bounded whatever
    the number of keys; ``slices`` merges the runs on disk and in memory one range of keys at a time.
    """

    def __init__(self, dtypes: Sequence[type[np.integer]], *, spill_rows: int | None = None,
                 spill_dir: str | os.PathLike[str] | None = None) -> None:
        """Sums of ``len(dtypes)`` values, handed back in these integer types (which must hold every total);
        past ``spill_rows`` keys in memory (``None``: never) the totals go to a run on disk in ``spill_dir``
        (``None``: the system's temporary folder)."""
        self._dtypes = list(dtypes)
        self._keys = kernels.frozen(np.empty(0, np.int64), np.int64)
        self._values = kernels.frozen(np.empty((0, len(self._dtypes)), np.int64), np.int64)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_rows = 0
        self._spill_rows = spill_rows
        self._spill_dir = spill_dir
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._spilled: list[str] = []  # sorted runs on disk (``_run``)
        self._runs_written = 0

    @property
    def spilled_runs(self) -> int:
        """Runs written to disk so far (also after they are handed over and removed)."""
        return self._runs_written

    @property
    def keys(self) -> np.ndarray:
        """Every key added so far, increasing (all in memory at once: ``slices`` hands them over in parts)."""
        return self._whole()[0]

    @property
    def values(self) -> list[np.ndarray]:
        """The sums of each value under ``keys``, in their types."""
        return self._whole()[1]

    def _whole(self) -> tuple[np.ndarray, list[np.ndarray]]:
        self._flush()
        if not self._spilled:
            return self._keys, [self._values[:, i].astype(t) for i, t in enumerate(self._dtypes)]
        keys, values = self._merged()
        return keys, [values[:, i].astype(t) for i, t in enumerate(self._dtypes)]

    def add(self, keys: np.ndarray, values: Sequence[np.ndarray], *, presorted: bool = False) -> None:
        """Add ``values`` (one array per sum) under ``keys`` (distinct within the call; ``presorted``: given
        in increasing order, which is checked)."""
        keys = np.asarray(keys, np.int64)
        if presorted and len(keys) > 1 and not bool((keys[1:] > keys[:-1]).all()):
            msg = "keys given as presorted are not distinct and increasing"
            raise ValueError(msg)
        if len(values) != len(self._dtypes):
            msg = f"{len(self._dtypes)} value arrays expected, got {len(values)}"
            raise ValueError(msg)
        if not len(keys):
            return
        table = np.empty((len(keys), len(values)), np.int64)
        for i, v in enumerate(values):
            table[:, i] = v
        if not presorted:
            order = np.argsort(keys, kind="stable")
            keys, table = keys[order], table[order]
        self._pending.append((kernels.frozen(keys, np.int64), kernels.frozen(table, np.int64)))
        self._pending_rows += len(keys)
        if self._spill_rows is not None and len(self._keys) + self._pending_rows >= self._spill_rows:
            self._flush()
            self._spill()
        elif self._pending_rows >= max(int(len(self._keys) * RUNNING_SUMS_SHARE), RUNNING_SUMS_FLOOR):
            self._flush()

    def _flush(self) -> None:
        """Merge the pending runs pairwise, then into the totals."""
        runs = self._pending
        self._pending, self._pending_rows = [], 0
        if runs:
            self._keys, self._values = _merge_runs((self._keys, self._values), _merge_all(runs))

    def _spill(self) -> None:
        """Write the totals to a sorted run on disk (read back by ``slices``) and start again empty."""
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="atlas-sums-", dir=self._spill_dir)
        base = os.path.join(self._folder.name, f"run{self._runs_written}")
        self._runs_written += 1
        np.save(base + "-keys.npy", self._keys)
        np.save(base + "-values.npy", self._values)
        self._spilled.append(base)
        self._keys = kernels.frozen(np.empty(0, np.int64), np.int64)
        self._values = kernels.frozen(np.empty((0, len(self._dtypes)), np.int64), np.int64)

    @staticmethod
    def _run(base: str) -> tuple[np.ndarray, np.ndarray]:
        """A run on disk, memory-mapped (keys, values). Mapped only while a slice is read from it: pages
        of a mapped file count in the process's resident memory until the mapping goes."""
        return np.load(base + "-keys.npy", mmap_mode="r"), np.load(base + "-values.npy", mmap_mode="r")

    def _merged(self) -> tuple[np.ndarray, np.ndarray]:
        """The runs on disk and the totals merged and summed, all in memory."""
        runs = [(kernels.frozen(np.array(k), np.int64), kernels.frozen(np.array(v), np.int64))
                for k, v in map(self._run, self._spilled)]
        return _merge_all([*runs, (self._keys, self._values)])

    def slices(self, rows: int) -> Iterator[tuple[np.ndarray, list[np.ndarray]]]:
        """Every key and its sums in increasing key order, about ``rows`` keys at a time: (keys, values
        in their types). The sums are handed over and dropped (the runs on disk removed at the end).

        With runs on disk, the key ranges come from a sample of every run's keys (one key in ``rows / 64``),
        so each range holds about ``rows`` of the runs' rows; each range is read from every run (a binary
        search on its memory-mapped keys, mapped only meanwhile) and merged in memory.
        """
        self._flush()
        try:
            if not self._spilled:
                keys, values = self._keys, self._values
                self._keys, self._values = kernels.frozen(np.empty(0, np.int64), np.int64), values[:0]
                for at in range(0, len(keys), rows):
                    part = values[at:at + rows]
                    yield keys[at:at + rows], [part[:, i].astype(t) for i, t in enumerate(self._dtypes)]
                return
            stride = max(1, rows // 64)
            samples = [np.asarray(self._keys[::stride])]
            for base in self._spilled:
                keys, _ = self._run(base)
                samples.append(np.array(keys[::stride]))
                del keys
            step = max(1, rows // stride)
            bounds = [int(b) for b in np.unique(np.sort(np.concatenate(samples))[step::step])]
            low = [0] * (len(self._spilled) + 1)
            for bound in [*bounds, None]:
                parts, high = [], []
                for i, base in enumerate([*self._spilled, None]):
                    keys, values = (self._keys, self._values) if base is None else self._run(base)
                    high.append(len(keys) if bound is None else int(np.searchsorted(keys, bound)))
                    parts.append((kernels.frozen(np.array(keys[low[i]:high[i]]), np.int64),
                                  kernels.frozen(np.array(values[low[i]:high[i]]), np.int64)))
                    del keys, values
                low = high
                keys, values = _merge_all(parts)
                del parts
                if len(keys):
                    yield keys, [values[:, i].astype(t) for i, t in enumerate(self._dtypes)]
        finally:
            self.close()

    def close(self) -> None:
        """Drop the sums and remove the runs on disk (also after a failure)."""
        self._spilled = []
        self._pending, self._pending_rows = [], 0
        self._keys = kernels.frozen(np.empty(0, np.int64), np.int64)
        self._values = kernels.frozen(np.empty((0, len(self._dtypes)), np.int64), np.int64)
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None


def _merge_all(runs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """(keys, values) runs merged pairwise into one (``_merge_runs``)."""
    while len(runs) > 1:
        runs = [_merge_runs(runs[i], runs[i + 1]) if i + 1 < len(runs) else runs[i] for i in range(0, len(runs), 2)]
    return runs[0]


def _merge_runs(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Two (keys, values) runs merged and summed (``kernels.merge_sums``), read-only for the next merge."""
    keys, values = kernels.merge_sums(a[0], a[1], b[0], b[1])
    return kernels.frozen(keys, np.int64), kernels.frozen(values, np.int64)


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
