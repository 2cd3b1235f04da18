"""Turn pings into stays, place visits, hourly presence and trips (two engines, the same tables).

Both engines first write ``device_segments`` (a device's segment, one group-by over the pings) and the
``labels`` table (``create_labels.sql``): the output tables store their texts (zone, place, segment,
visitor type, trip level) as integer codes in ``stays_data``, ``place_visits_data``,
``visits_hourly_data`` and ``trips_data``, and the views ``stays``, ``place_visits``, ``visits_hourly``
and ``trips`` show the texts (``create_*.sql``). Everything downstream reads the views.

``engine="stream"`` (default; ``_stream_pipeline``):

1. stay detection – one sort of the pings by (device, ts) (``stay_stream``) read as Arrow batches and
   scanned by a compiled loop (``geo/staydetect.py``, ``geo/build/kernels.py``); the stays come out in
   (device, start) order, a chunk per batch;
2. while DuckDB hands over the next batch, each chunk's cells, once per distinct centre rounded to 1e-4°
   (the ``h3`` package; zones from the cells table, ``create_stay_cells`` outside it) and nearest open
   place (``_chunk_spots``); then, on the partition's stays (``geo/staysteps.py``), segment and visitor
   type → ``write_stays``;
3. place visits → ``write_place_visits``; 4. hourly presence and 5. moves, counted per day and
   group (``_Sums``) → ``write_visits_hourly`` and ``write_trips``. Each write runs on its own cursor
   while NumPy computes the next table.

Out of core (``partitions`` > 1, ``docs/scale.md``): the stream engine runs steps 1–5 on one device
partition after another (``partition_bounds``: ranges of the salted device hash, a power of two in
number). The labels are made once from every segment the pings carry; each partition makes its own
device segments (``create_device_segments`` on the registered relation ``pings_partition``), appends its
stays and place visits, and adds its hourly presence and trip counts to running sums in memory (``_Sums``:
exact integer sums per distinct hour or day and group), written once at the end. ``PARTITIONS_IN_FLIGHT``
partitions are computed at once, on worker threads with a cursor each. The tables equal a single pass row
for row, whatever the count (``tests/test_partitions.py``).

``engine="sql"`` (``_sql_pipeline``; the reference a distributed SQL engine can run): ``detect_stays_sql``
+ ``create_stay_candidates``, ``stay_coordinates`` + ``create_stay_cells``, ``insert_stays``,
``insert_place_visits``, ``insert_visits_hourly``, ``insert_trips``. The tests run every exact pipeline
test on both engines and compare their four tables on simulated flows.

The same code runs on real pings (an operator's feed loaded into ``pings``). Settings are the fields
of ``PipelineParams``; ``data/README.md`` ("The pipeline's settings") explains each default.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import duckdb
import h3
import numpy as np
import pandas as pd
import pyarrow as pa

from geo import sql
from geo.build import staydetect, staysteps
from geo.db import held_memory_limit
from geo.errors import FlowDataError
from geo.settings import H3_RESOLUTION, MAP_CENTER, Settings
from geo.vocab import EARTH_RADIUS_M, VISITOR_TYPES

#: Tables the pipeline writes, in order (``run_pipeline`` returns their row counts).
OUTPUT_TABLES = ("stays", "place_visits", "visits_hourly", "trips")

Progress = Callable[[int, int], None]

#: Ways to run the pipeline: compiled loops and NumPy on DuckDB's sorted stream (default) or every step in SQL.
ENGINES = ("stream", "sql")


@dataclass(frozen=True)
class PipelineParams:
    """Stay detection and matching settings.

    * ``stay_radius_m`` (150): consecutive pings closer than this belong to the same stay. Larger than
      the positioning scatter of a phone standing still (tens of metres) and than a temple compound,
      smaller than the distance a walker covers between two pings while moving.
    * ``min_stay_minutes`` (15, inclusive): shortest stay. Shorter stops are passing through (traffic
      lights, a photo stop); 15 minutes is the usual floor in telecom and GPS stop detection.
    * ``max_gap_minutes`` (720): pings further apart in time never join one stay, so a device that
      leaves and comes back days later starts a new stay; 12 h keeps a night's sparse pings together.
    * ``max_outliers`` (2): a stay interrupted by at most this many stray pings (a cell-positioned
      outlier hundreds of metres off) at the same spot is one stay.
    * ``place_radius_m`` (200): a stay is at the nearest place within this distance of its centre
      (place points are entrances or centroids of compounds up to a few hundred metres across).
    * ``visit_merge_gap_minutes`` (30): back-to-back stays at the same place this close in time are
      one visit.
    * ``night_hour`` (3): a non-resident device with a stay spanning this local hour slept in the
      area: ``overnight``; otherwise ``day_tripper``.
    * ``h3_resolution``: resolution of the stay cells (``geo.settings.H3_RESOLUTION``).
    """

    stay_radius_m: float = 150.0
    min_stay_minutes: float = 15.0
    max_gap_minutes: float = 720.0
    max_outliers: int = 2
    place_radius_m: float = 200.0
    visit_merge_gap_minutes: float = 30.0
    night_hour: int = 3
    h3_resolution: int = H3_RESOLUTION

    def __post_init__(self) -> None:
        checks = (
            (self.stay_radius_m > 0, "stay_radius_m must be positive"),
            (self.min_stay_minutes > 0, "min_stay_minutes must be positive"),
            (self.max_gap_minutes >= self.min_stay_minutes, "max_gap_minutes must be at least min_stay_minutes"),
            (self.max_outliers >= 0, "max_outliers must be 0 or more"),
            (self.place_radius_m > 0, "place_radius_m must be positive"),
            (self.visit_merge_gap_minutes >= 0, "visit_merge_gap_minutes must be 0 or more"),
            (0 <= self.night_hour <= 23, "night_hour must be 0..23"),
            (0 <= self.h3_resolution <= 15, "h3_resolution must be 0..15"),
        )
        for ok, msg in checks:
            if not ok:
                raise ValueError(msg)


def h3_cells(lat: np.ndarray | list[float], lon: np.ndarray | list[float], resolution: int) -> np.ndarray:
    """H3 cells (as unsigned 64-bit integers) of the points, one ``h3`` call per point."""
    to_cell = h3.api.basic_int.latlng_to_cell
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    return np.fromiter(
        (to_cell(a, b, resolution) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)),
        dtype=np.uint64,
        count=len(lat),
    )


def _cell_zones(con: duckdb.DuckDBPyConnection, lat4: np.ndarray, lon4: np.ndarray, resolution: int) -> np.ndarray:
    """H3 cell of each rounded stay centre; writes the temp table ``stay_cells`` (with zones) and returns
    the cells in the centres' order."""
    cells = h3_cells(lat4, lon4, resolution)
    frame = pa.table({"k": np.arange(len(cells), dtype=np.int64), "lat4": np.asarray(lat4, float),
                      "lon4": np.asarray(lon4, float), "cell": cells})
    con.register("stay_cells_frame", frame)
    try:
        sql.execute(con, "build/create_stay_cells")
    finally:
        con.unregister("stay_cells_frame")
    return cells


def run_pipeline(
    con: duckdb.DuckDBPyConnection,
    params: PipelineParams | None = None,
    progress: Progress | None = None,
    *,
    engine: str = "stream",
    partitions: int | None = None,
    timings: dict[str, float] | None = None,
) -> dict[str, int]:
    """Build stays, place_visits, visits_hourly and trips from ``pings``; returns their row counts.

    Needs ``pings``, ``places``, ``zones`` and ``cells`` in ``con``; replaces the four outputs (and the
    ``labels`` table their codes refer to). ``engine`` is ``"stream"`` (the default: NumPy on the sorted
    pings and then on the stays) or ``"sql"`` (every step a SQL file); both give the same tables.

    The stream engine works through the pings in ``partitions`` device partitions (a power of two; by
    default ``partition_count`` of the pings: one up to ``PARTITION_PINGS``), one after another, so its
    memory is set by a partition, not by the number of pings; the result does not depend on the count.
    ``progress(step, steps)`` is called after each step (each partition, with the stream engine).
    ``timings``, when given, receives the seconds of each stage (added up over partitions).
    """
    if engine not in ENGINES:
        msg = f"engine must be one of {', '.join(ENGINES)}, got {engine!r}"
        raise ValueError(msg)
    if partitions is not None and engine != "stream":
        msg = "only the stream engine runs in device partitions"
        raise ValueError(msg)
    clock = _Clock(timings)
    params = params or PipelineParams()
    # the pings counted once, where they size the partitions or the memory hold (not for a given single pass)
    counted = engine == "stream" and (partitions is None or partitions > 1)
    n_pings = int(sql.fetch_one(con, "ingest/ping_count")["n"]) if counted else 0
    if partitions is None:
        partitions = partition_count(n_pings) if engine == "stream" else 1
    partition_bounds(0, partitions)  # a power of two, or ValueError
    ref = sql.fetch_one(con, "build/reference_point", {"default_lon": MAP_CENTER[1], "default_lat": MAP_CENTER[0]})
    # the local metric projection every SQL step that measures metres takes: origin and sphere radius
    ref = {"ref_lon": float(ref["ref_lon"]), "ref_lat": float(ref["ref_lat"]), "earth_radius_m": EARTH_RADIUS_M}
    restore_order = _unordered_inserts(con)
    held = contextlib.ExitStack()  # DuckDB held to what the partitions in flight need (a caller may hold it)
    held.enter_context(out_of_core(con, n_pings, partitions))
    try:
        _prepare_outputs(con, segments_from_pings=partitions == 1, segments_of_pings=partitions > 1)
        clock.lap("prepare")
        if engine == "sql":
            _sql_pipeline(con, params, ref, progress)
        else:
            _stream_pipeline(con, params, ref, progress, partitions, clock)
    finally:
        sql.execute(con, "schema/drop_device_segments")
        if restore_order:
            sql.execute(con, "build/ordered_inserts")
        held.close()
    counts = {  # counted on the coded tables: the views' joins would only slow the count
        t: int(sql.fetch_one(con, "build/count_data_rows", idents={"data_table": f"{t}_data"})["n"])
        for t in OUTPUT_TABLES
    }
    clock.lap("count")
    return counts


#: The four coded tables, each followed by its view (written out, so a search for a file finds this caller).
_OUTPUT_SCHEMA = (
    "schema/create_stays",
    "schema/create_stays_view",
    "schema/create_place_visits",
    "schema/create_place_visits_view",
    "schema/create_visits_hourly",
    "schema/create_visits_hourly_view",
    "schema/create_trips",
    "schema/create_trips_view",
)


def _prepare_outputs(con: duckdb.DuckDBPyConnection, *, segments_from_pings: bool = True,
                     segments_of_pings: bool = False) -> None:
    """Device segments (from the pings, unless given), labels, and the four empty coded tables with
    their views. ``segments_of_pings``: label every segment the pings carry (out-of-core runs, whose
    device segments are made partition by partition)."""
    for table in sql.fetch_df(con, "schema/output_tables")["table_name"]:
        sql.execute(con, "schema/drop_output_table", idents={"table": table})  # an older build's base table
    if segments_from_pings:
        sql.execute(con, "build/create_device_segments")
    if segments_of_pings:
        names = sql.fetch_df(con, "build/pings_segments")["segment"].astype(str).tolist()
        con.register("device_segments", pa.table({"device": pa.nulls(len(names), pa.uint64()),
                                                  "segment": pa.array(names, pa.string())}))
        try:
            sql.execute(con, "schema/create_labels")
        finally:
            con.unregister("device_segments")
    else:
        sql.execute(con, "schema/create_labels")
    for name in _OUTPUT_SCHEMA:
        sql.execute(con, name)


#: The query storing each output given with its texts (``load_outputs``).
_LOAD_QUERIES = {
    "stays": "build/load_stays",
    "place_visits": "build/load_place_visits",
    "visits_hourly": "build/load_visits_hourly",
    "trips": "build/load_trips",
}

#: Columns holding labels in each output (view) and the label kind they hold ("level": the row's level).
_LABELLED = {
    "stays": {"zone_id": "zone", "place_id": "place", "segment": "segment", "visitor_type": "visitor_type"},
    "place_visits": {"place_id": "place", "segment": "segment", "visitor_type": "visitor_type"},
    "visits_hourly": {"zone_id": "zone", "segment": "segment", "visitor_type": "visitor_type"},
    "trips": {"level": "level", "origin": "level", "destination": "level", "segment": "segment",
              "visitor_type": "visitor_type"},
}


def load_outputs(con: duckdb.DuckDBPyConnection, frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    """Replace the pipeline's outputs with rows given with their texts (the columns of the views).

    For flows computed elsewhere (an operator's delivered presence cube) and hand-built data: outputs
    missing from ``frames`` are left empty. Zones and places must be in the ``zones`` and ``places``
    tables; segments are taken from the rows. Raises ``FlowDataError`` naming every unknown text.
    Returns the row counts.
    """
    unexpected = sorted(set(frames) - set(OUTPUT_TABLES))
    if unexpected:
        msg = f"load_outputs takes {', '.join(OUTPUT_TABLES)}; got {', '.join(unexpected)}"
        raise FlowDataError(msg)
    segments = sorted({s for f in frames.values() if "segment" in f for s in f["segment"].dropna().astype(str)})
    con.register("device_segments", pa.table({"device": pa.nulls(len(segments), pa.uint64()),
                                              "segment": pa.array(segments, pa.string())}))
    try:
        _prepare_outputs(con, segments_from_pings=False)
    finally:
        con.unregister("device_segments")
    known = sql.fetch_df(con, "build/labels").groupby("kind")["label"].agg(set).to_dict()
    problems = []
    for table, frame in frames.items():
        for column, kind in _LABELLED[table].items():
            values = frame[column].dropna() if column in frame else pd.Series(dtype=object)
            if kind == "level" and column != "level":
                levels = frame["level"].astype(str)
                bad = {f"{lv} {v}" for lv, v in zip(levels[values.index], values.astype(str), strict=True)
                       if v not in known.get(lv, set())}
            else:
                bad = set(values.astype(str)) - known.get(kind, set())
            if bad:
                problems.append(f"{table}.{column}: {', '.join(sorted(bad)[:5])}{' …' if len(bad) > 5 else ''}")
    if problems:
        msg = "Flow rows name unknown zones, places or types (load zones and places first): " + "; ".join(problems)
        raise FlowDataError(msg)
    for table, frame in frames.items():
        con.register("output_rows", frame)
        try:
            sql.execute(con, _LOAD_QUERIES[table])
        finally:
            con.unregister("output_rows")
    return {
        t: int(sql.fetch_one(con, "build/count_data_rows", idents={"data_table": f"{t}_data"})["n"])
        for t in OUTPUT_TABLES
    }


def _sql_pipeline(
    con: duckdb.DuckDBPyConnection, params: PipelineParams, ref: dict[str, float], progress: Progress | None
) -> None:
    """Every step as a SQL file (the reference engine)."""
    steps: list[Callable[[], object]] = [
        lambda: _stay_candidates(con, params, ref),
        lambda: _load_stay_cells(con, params.h3_resolution),
        lambda: sql.execute(con, "build/insert_stays", {
            **ref, "place_radius_m": float(params.place_radius_m), "night_hour": params.night_hour,
        }),
        lambda: sql.execute(con, "build/insert_place_visits", {
            "visit_merge_gap_minutes": float(params.visit_merge_gap_minutes),
        }),
        lambda: sql.execute(con, "build/insert_visits_hourly"),
        lambda: sql.execute(con, "build/insert_trips"),
        lambda: (sql.execute(con, "schema/drop_stay_candidates"), sql.execute(con, "schema/drop_stay_cells")),
    ]
    for i, step in enumerate(steps, start=1):
        step()
        if progress:
            progress(i, len(steps))


def stay_rules(params: PipelineParams) -> staydetect.StayRules:
    """The stay detection thresholds of ``params`` in the kernel's units (metres, microseconds)."""
    return staydetect.StayRules(
        radius_m=params.stay_radius_m,
        max_gap_us=params.max_gap_minutes * 60_000_000,
        min_stay_us=params.min_stay_minutes * 60_000_000,
        max_outliers=params.max_outliers,
    )


def _stay_candidates(con: duckdb.DuckDBPyConnection, params: PipelineParams, ref: dict[str, float]) -> None:
    """SQL engine, step 1: detect stays with one SQL window and write the ``stay_candidates`` table."""
    sql.execute(con, "build/detect_stays_sql", {
        **ref, **{k: getattr(params, k) for k in ("stay_radius_m", "min_stay_minutes", "max_gap_minutes", "max_outliers")},
    })
    try:
        sql.execute(con, "build/create_stay_candidates", ref)
    finally:
        sql.execute(con, "schema/drop_detected_stays")


def _unordered_inserts(con: duckdb.DuckDBPyConnection) -> bool:
    """Let inserts ignore row order while the pipeline runs; True if the setting must be restored."""
    if not sql.fetch_one(con, "build/insertion_order")["preserve"]:
        return False
    try:
        sql.execute(con, "build/unordered_inserts")
    except duckdb.Error:  # a locked configuration (public mode): run with the default
        return False
    return True


def partition_memory(pings: int, partitions: int) -> int:
    """DuckDB's memory limit (bytes) for an out-of-core run of ``pings`` in ``partitions``: the sorts of
    ``PARTITIONS_IN_FLIGHT`` partitions (``SORT_BYTES_PER_PING``) and ``DUCKDB_HEADROOM_BYTES``."""
    per_partition = -(-pings // partitions)
    return min(PARTITIONS_IN_FLIGHT, partitions) * per_partition * SORT_BYTES_PER_PING + DUCKDB_HEADROOM_BYTES


def storing_pings(con: duckdb.DuckDBPyConnection, partitions: int, *,
                  settings: Settings | None = None) -> contextlib.AbstractContextManager[bool]:
    """Hold DuckDB to ``STORE_MEMORY_BYTES`` while the pings of an out-of-core build or import are stored
    partition by partition (batches of inserts need little; left at the configured limit, DuckDB's cache of
    the blocks written climbs to it); nothing for a single pass (``geo.db.held_memory_limit``)."""
    if partitions <= 1:
        return contextlib.nullcontext(False)
    return held_memory_limit(con, STORE_MEMORY_BYTES, settings=settings)


def out_of_core(con: duckdb.DuckDBPyConnection, pings: int, partitions: int, *,
                settings: Settings | None = None) -> contextlib.AbstractContextManager[bool]:
    """Hold DuckDB to ``partition_memory`` for the pipeline of an out-of-core build or import of ``pings``
    in ``partitions`` (``run_pipeline`` holds it itself when no caller does), so its memory does not climb with
    the pings to the configured limit; nothing for a single pass or an unknown count (``geo.db.held_memory_limit``)."""
    if partitions <= 1 or pings <= 0:
        return contextlib.nullcontext(False)
    return held_memory_limit(con, partition_memory(pings, partitions), settings=settings)


def _load_stay_cells(con: duckdb.DuckDBPyConnection, resolution: int) -> None:
    """SQL engine, step 2: cells and zones of the distinct rounded stay centres (``stay_cells``)."""
    coords = sql.fetch_df(con, "build/stay_coordinates")
    _cell_zones(con, coords["lat4"].to_numpy(float), coords["lon4"].to_numpy(float), resolution)


#: Pings per device partition the stream engine aims at (``partition_count``): the sort of one partition
#: fits DuckDB's 4 GB limit and its stays' arrays take a few hundred MB, whatever the number of pings
#: (docs/scale.md).
PARTITION_PINGS = 25_000_000
#: Most device partitions (each a 1/4096 share of the devices).
MAX_PARTITIONS = 4096
#: DuckDB memory per ping of each partition in flight in an out-of-core run (its sort: four 8-byte columns
#: and the sort's keys and pointers; DuckDB reported 44–47 B at 12.7M and 15.9M pings a partition, so
#: this leaves room for the table blocks a scan pins, docs/scale.md), and on top of the sorts for the
#: writes and the cell lookups (``partition_memory``).
SORT_BYTES_PER_PING = 80
DUCKDB_HEADROOM_BYTES = 512_000_000
#: DuckDB's memory while the pings of an out-of-core build or import are stored (``storing_pings``).
STORE_MEMORY_BYTES = 1_000_000_000
#: Device partitions computed at once in an out-of-core run (worker threads, a cursor each): while one
#: partition's pings are sorted in DuckDB, the previous one's stays are in NumPy, so both cores stay busy.
#: Memory holds this many partitions' arrays (plus one partition's tables waiting for their writes).
PARTITIONS_IN_FLIGHT = 2

#: Keys each running sum (hourly presence, trips) keeps in memory in an out-of-core run; past that its totals
#: go to a sorted run on disk beside the database (``staysteps.RunningSums``), so memory does not grow
#: with the output tables. 4M keys are ~100 MB of hourly presence sums (key and two int64 values).
SUMS_MEMORY_ROWS = 4_000_000
#: Rows of a summed table built and written at a time at the end of an out-of-core run.
SUMS_SLICE_ROWS = 1_000_000

#: Rows per Arrow batch handed to a write (DuckDB scans a table's batches in parallel).
WRITE_BATCH_ROWS = 122_880


def _codes(values: pd.Series | list[str], labels: list[str]) -> np.ndarray:
    """Code (position in ``labels``) of each text; -1 for null or unknown."""
    return pd.Categorical(values, categories=labels).codes.astype(np.int32)


class _Clock:
    """Seconds per pipeline stage, added up over partitions (``timings``; ``None``: not recorded).

    Each thread laps its own stages (partitions run two at a time), so with partitions in flight the stage
    seconds add up to more than the wall time.
    """

    def __init__(self, timings: dict[str, float] | None) -> None:
        self.timings = timings
        self.local = threading.local()
        self.local.last = time.perf_counter()
        self.lock = threading.Lock()

    def start(self) -> None:
        """Start this thread's laps now."""
        self.local.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        """Charge the time since this thread's previous lap to ``stage``."""
        now = time.perf_counter()
        last = getattr(self.local, "last", now)
        self.add(stage, now - last)
        self.local.last = now

    def add(self, stage: str, seconds: float) -> None:
        """Charge ``seconds`` measured elsewhere (a write thread) to ``stage``."""
        if self.timings is not None:
            with self.lock:
                self.timings[stage] = self.timings.get(stage, 0.0) + seconds


#: One table write of a partition: the insert query, the view it reads and the rows.
_Write = tuple[str, str, pa.Table]


@dataclass
class _PartitionOut:
    """What one device partition hands over: its stays and place visits to write, and its hourly
    presence and moves to add to the running sums (``_Sums``)."""

    writes: list[_Write]
    #: rows in (group, hour) order: hour (since 1970), visitors, dwell_us; heads: first row of each group's
    #: block; cell, zone_code, segment_code, visitor_type_code: per group (None: written already)
    presence: dict[str, np.ndarray] | None
    moves: dict[str, np.ndarray]     # day, level_code, origin_code, destination_code, segment_code, visitor_type_code


class _Sums:
    """Hourly presence and trip counts of every partition so far, added up in memory in partition order.

    Devices never straddle partitions, so a group-hour's unique visitors and exact dwell microseconds add
    up, as do trip counts. A row's group (cell, zone, segment, visitor type; for trips level, origin,
    destination, segment, visitor type) gets a dense id, and (hour or day, id) one int64 key; the sums are
    kept per distinct key (``staysteps.RunningSums``), so memory follows the output tables' size, not the
    pings'. Written once at the end (``write_visits_hourly``, ``write_trips``).
    """

    def __init__(self, zones: int, places: int, segments: int, spill_dir: str | None = None) -> None:
        self.zone_bits = (zones + 1).bit_length()          # zone code + 1 (0: no zone)
        self.segment_bits = (segments + 1).bit_length()    # segment code + 1
        self.spot_bits = max(zones, places, 1).bit_length()  # a trip's origin and destination codes
        self.cells = staysteps.DenseIds()
        self.presence_groups = staysteps.DenseIds()
        self.trip_groups = staysteps.DenseIds()
        self.presence = staysteps.RunningSums([np.int32, np.int64], spill_rows=SUMS_MEMORY_ROWS,
                                              spill_dir=spill_dir)  # visitors, dwell µs
        self.trips = staysteps.RunningSums([np.int32], spill_rows=SUMS_MEMORY_ROWS, spill_dir=spill_dir)

    def _presence_widths(self) -> list[int]:
        """Bits of a presence group's fields: dense cell id, zone code + 1, segment code + 1, visitor type."""
        return [64 - self.zone_bits - self.segment_bits - 2, self.zone_bits, self.segment_bits, 2]

    def _trip_widths(self) -> list[int]:
        """Bits of a trip group's fields: level, origin, destination, segment code + 1, visitor type."""
        return [1, self.spot_bits, self.spot_bits, self.segment_bits, 2]

    def add(self, out: _PartitionOut) -> None:
        """Add one partition's hourly presence (unless it was written already: a single pass) and moves."""
        if out.presence is not None:
            self._add_presence(out.presence)
        m = out.moves
        groups = staysteps.pack_fields(list(zip(
            [m["level_code"], m["origin_code"], m["destination_code"], m["segment_code"] + 1,
             m["visitor_type_code"]], self._trip_widths(), strict=True)))
        keys, counts = np.unique(staysteps.packed_key(m["day"], self.trip_groups.ids(groups)), return_counts=True)
        self.trips.add(keys, [counts], presorted=True)

    def _add_presence(self, p: dict[str, np.ndarray]) -> None:
        """Add one partition's hourly presence to the keyed sums."""
        groups = staysteps.pack_fields(list(zip(
            [self.cells.ids(p["cell"]), p["zone_code"] + 1, p["segment_code"] + 1, p["visitor_type_code"]],
            self._presence_widths(), strict=True)))
        ids = self.presence_groups.ids(groups)
        # put the groups' blocks in id order: the keys (id, hour) come out sorted, with no sort of the rows
        n = len(p["hour"])
        lengths = np.diff(np.append(p["heads"], n))
        by_id = np.argsort(ids)
        rows = staysteps.block_rows(p["heads"][by_id], lengths[by_id])
        keys = staysteps.packed_key(np.repeat(ids[by_id], lengths[by_id]), p["hour"][rows])
        self.presence.add(keys, [p["visitors"][rows], p["dwell_us"][rows]], presorted=True)

    def visits_hourly(self) -> Iterator[pa.Table]:
        """The summed hourly presence (``stream_visits_hourly``) in (group, hour) order, ``SUMS_SLICE_ROWS``
        rows at a time; the sums are handed over and dropped."""
        for keys, (visitors, dwell_us) in self.presence.slices(SUMS_SLICE_ROWS):
            group, hour = staysteps.unpack_key(keys)
            cell, zone, segment, vtype = staysteps.unpack_fields(self.presence_groups.values[group],
                                                                 self._presence_widths())
            yield _hourly_table(hour, self.cells.values[cell], zone - 1, segment - 1, vtype, visitors, dwell_us)

    def trip_counts(self) -> Iterator[pa.Table]:
        """The summed trip counts (``stream_trips``) in (day, group) order, ``SUMS_SLICE_ROWS`` rows at a
        time; the sums are handed over and dropped."""
        for keys, (counts,) in self.trips.slices(SUMS_SLICE_ROWS):
            day, group = staysteps.unpack_key(keys)
            level, origin, destination, segment, vtype = staysteps.unpack_fields(self.trip_groups.values[group],
                                                                                 self._trip_widths())
            yield pa.table({
                "day": pa.array(day.astype(np.int32), type=pa.date32()), "level_code": level.astype(np.int8),
                "origin_code": origin.astype(np.int32), "destination_code": destination.astype(np.int32),
                "segment_code": (segment - 1).astype(np.int32), "visitor_type_code": vtype.astype(np.int8),
                "trips": counts,
            })

    def close(self) -> None:
        """Drop the sums and their runs on disk (after a failure too)."""
        self.presence.close()
        self.trips.close()


def _presence_table(p: dict[str, np.ndarray]) -> pa.Table:
    """One partition's hourly presence (``_hourly_presence``) as the rows ``write_visits_hourly`` reads,
    each group's fields repeated over its rows (a single pass: nothing to add up)."""
    lengths = np.diff(np.append(p["heads"], len(p["hour"])))
    return _hourly_table(p["hour"], np.repeat(p["cell"], lengths), np.repeat(p["zone_code"], lengths),
                         np.repeat(p["segment_code"], lengths), np.repeat(p["visitor_type_code"], lengths),
                         p["visitors"], p["dwell_us"])


def _hourly_table(hour: np.ndarray, cell: np.ndarray, zone: np.ndarray, segment: np.ndarray, vtype: np.ndarray,
                  visitors: np.ndarray, dwell_us: np.ndarray) -> pa.Table:
    """The rows ``write_visits_hourly`` reads (``stream_visits_hourly``): hours since 1970, codes (zone -1:
    none), unique visitors and dwell in whole microseconds, made minutes here once."""
    return pa.table({
        "ts_hour": staysteps.timestamps(hour * staysteps.HOUR_US), "cell": cell,
        "zone_code": _nullable(zone.astype(np.int32)), "segment_code": segment.astype(np.int32),
        "visitor_type_code": vtype.astype(np.int8), "visitors": visitors.astype(np.int32),
        "dwell_minutes": dwell_us.astype(float) / 60000000.0,
    })


@dataclass
class _Shared:
    """What every device partition of a stream run shares: codes, places, the cell cache, the writers."""

    zones: list[str]
    place_ids: list[str]
    segment_names: list[str]
    places: staysteps.PlaceGrid
    place_codes: np.ndarray
    cells: _CellCache
    pool: ThreadPoolExecutor
    side: ThreadPoolExecutor
    jobs: list[Future[None]]
    clock: _Clock

    def drain(self) -> None:
        """Wait for the writes handed over so far (a failed write raises here)."""
        while self.jobs:
            self.jobs.pop(0).result()

    def hand_over(self, con: duckdb.DuckDBPyConnection, out: _PartitionOut, sums: _Sums) -> None:
        """Start a partition's writes once the previous partition's are done (partitions reach the tables
        in partition order, and at most one partition's tables wait in memory for their writes), and add
        its hourly presence and trips to ``sums`` meanwhile."""
        self.drain()
        self.clock.lap("writes_wait")
        for query, view, table in out.writes:
            self.jobs.append(self.pool.submit(_write, con.cursor(), query, view, table, self.clock))
        sums.add(out)
        release_freed_memory()
        self.clock.lap("sums")


def _malloc_trim() -> Callable[[], object]:
    """glibc's ``malloc_trim(0)``, or nothing where the C library has none (musl, macOS)."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    return lambda: trim(0)


#: Give the memory freed by a partition's arrays back to the system (glibc keeps freed blocks of each
#: thread's arena for reuse: ~0.3 GB of a 100M-ping run's peak, docs/scale.md). Called after each
#: partition is handed over; a few milliseconds.
release_freed_memory = _malloc_trim()


class _Centres:
    """Rounded centres in increasing key order, each with its H3 cell and zone code."""

    def __init__(self) -> None:
        self.keys = np.empty(0, np.int64)
        self.cells = np.empty(0, np.uint64)
        self.zones = np.empty(0, np.int32)

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(whether each of ``keys`` is here, its position where it is)."""
        if not len(self.keys):
            return np.zeros(len(keys), bool), np.zeros(len(keys), np.int64)
        at = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return self.keys[at] == keys, at

    def insert(self, keys: np.ndarray, cells: np.ndarray, zones: np.ndarray) -> None:
        """Add centres not here yet (``keys`` increasing), each at its place."""
        at = np.searchsorted(self.keys, keys)
        self.keys = np.insert(self.keys, at, keys)
        self.cells = np.insert(self.cells, at, cells)
        self.zones = np.insert(self.zones, at, zones)


class _CellCache:
    """H3 cell and zone code of every rounded stay centre seen so far (keys of ``rounded_points``), so a
    later chunk of stays or device partition looks up only the centres none before had. Thread-safe:
    partitions in flight look up one at a time.

    A new centre's cell comes from ``h3``; its zone from the cells table (``cell_zone_codes``, read once:
    an array lookup), and only for a cell the table does not hold from ``create_stay_cells`` (the SQL
    engine's step, with its point-in-zone fallback), so the two engines give every centre the same zone.
    New centres go to a small ``recent`` tier, moved into the large one when it holds ``RECENT_CENTRES``:
    inserting each chunk's few new centres into a million would copy the million every time.
    """

    RECENT_CENTRES = 1 << 16

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.settled, self.recent = _Centres(), _Centres()
        known = sql.execute(con, "build/cell_zone_codes").to_arrow_table()
        self.table_cells = known.column("cell").to_numpy()
        self.table_zones = known.column("zone_code").to_numpy().astype(np.int32)
        self.lock = threading.Lock()

    def _new(self, con: duckdb.DuckDBPyConnection, lat4: np.ndarray, lon4: np.ndarray, resolution: int,
             zones: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(cell, zone code) of centres not seen before."""
        cells = h3_cells(lat4, lon4, resolution)
        at = np.minimum(np.searchsorted(self.table_cells, cells), max(len(self.table_cells) - 1, 0))
        found = (self.table_cells[at] == cells) if len(self.table_cells) else np.zeros(len(cells), bool)
        zone = np.where(found, self.table_zones[at] if len(self.table_cells) else -1, -1).astype(np.int32)
        missing = np.flatnonzero(~found)
        if len(missing):  # outside the cells table: the SQL step (point in zone)
            _cell_zones(con, lat4[missing], lon4[missing], resolution)
            try:
                zone[missing] = _codes(sql.fetch_df(con, "build/stay_cell_zones")["zone_id"], zones)
            finally:
                sql.execute(con, "schema/drop_stay_cells")
        return cells, zone

    def lookup(self, con: duckdb.DuckDBPyConnection, keys: np.ndarray, lat4: np.ndarray, lon4: np.ndarray,
               resolution: int, zones: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(cell, zone code) of each centre (``rounded_points``: increasing keys); new centres are looked
        up (``_new``, with ``con``, the caller's cursor) and kept."""
        cells = np.empty(len(keys), np.uint64)
        zone = np.empty(len(keys), np.int32)
        todo = np.arange(len(keys))
        with self.lock:
            for tier in (self.settled, self.recent):
                hit, at = tier.find(keys[todo])
                cells[todo[hit]], zone[todo[hit]] = tier.cells[at[hit]], tier.zones[at[hit]]
                todo = todo[~hit]
            if len(todo):
                cells[todo], zone[todo] = self._new(con, lat4[todo], lon4[todo], resolution, zones)
                self.recent.insert(keys[todo], cells[todo], zone[todo])
                if len(self.recent) >= self.RECENT_CENTRES:
                    recent, self.recent = self.recent, _Centres()
                    self.settled.insert(recent.keys, recent.cells, recent.zones)
        return cells, zone


def partition_count(n_pings: int, target: int | None = None) -> int:
    """Device partitions for ``n_pings`` pings: the smallest power of two giving at most ``target``
    (``PARTITION_PINGS``) pings per partition; 1 up to ``target``."""
    target = target or PARTITION_PINGS
    parts = 1
    while n_pings > parts * target and parts < MAX_PARTITIONS:
        parts *= 2
    return parts


def partition_bounds(part: int, partitions: int) -> tuple[int, int]:
    """Device ids of partition ``part`` of ``partitions`` (a power of two): [lo, hi], both included.

    Device ids are salted 64-bit hashes (the simulator's and the importer's alike), so equal ranges of
    ids are equal shares of devices: range partitions of a hash are hash partitions, and a pings table
    written partition by partition lets each partition's scan skip the others' row groups (zone maps).
    """
    if partitions < 1 or partitions & (partitions - 1) or not 0 <= part < partitions:
        msg = f"partition {part} of {partitions}: the count must be a power of two and 0 <= part < count"
        raise ValueError(msg)
    width = (1 << 64) // partitions
    return part * width, (part + 1) * width - 1


def partition_of(device: np.ndarray, partitions: int) -> np.ndarray:
    """Partition of each device id (``partition_bounds``)."""
    shift = 64 - (partitions.bit_length() - 1)
    if shift >= 64:
        return np.zeros(len(device), np.int64)
    return (np.asarray(device, np.uint64) >> np.uint64(shift)).astype(np.int64)


def partition_relation(con: duckdb.DuckDBPyConnection, part: int, partitions: int) -> duckdb.DuckDBPyRelation:
    """The pings of one device partition as a lazy relation (the range filter reaches the table scan, whose
    zone maps skip the row groups of other partitions when the table is stored clustered)."""
    lo, hi = partition_bounds(part, partitions)
    ubigint = duckdb.sqltype("UBIGINT")
    return con.table("pings").filter(duckdb.ColumnExpression("device").between(
        duckdb.ConstantExpression(lo).cast(ubigint), duckdb.ConstantExpression(hi).cast(ubigint)))


def _stream_pipeline(
    con: duckdb.DuckDBPyConnection, params: PipelineParams, ref: dict[str, float], progress: Progress | None,
    partitions: int = 1, clock: _Clock | None = None,
) -> None:
    """Compiled loops and NumPy on the sorted pings (stays, each batch's cells and places), then on the
    stays in (device, start) order (everything else), one device partition after another (``partitions``
    > 1: out of core, memory set by a partition's size).

    Each table is written by its ``write_*.sql`` on a cursor of its own while NumPy computes the next
    one (DuckDB and NumPy release the GIL). With several partitions, ``PARTITIONS_IN_FLIGHT`` are computed
    at once, each on a cursor of its own, so one partition's sort runs in DuckDB while another's stays are
    in NumPy; stays and place visits are appended partition by partition (in device order, as one pass
    writes them), and each partition's hourly presence and trips are added to running sums in memory
    (``_Sums``), written once at the end.
    """
    clock = clock or _Clock(None)
    labels = sql.fetch_df(con, "build/labels").groupby("kind")["label"].agg(list).to_dict()
    points = sql.fetch_df(con, "build/place_points")
    places = staysteps.place_points(
        list(points["place_id"]), points["lon"].to_numpy(float), points["lat"].to_numpy(float),
        points["open_hour"].to_numpy(float, na_value=np.nan), points["close_hour"].to_numpy(float, na_value=np.nan),
    )
    place_ids = labels.get("place", [])
    clock.lap("prepare")
    parted = partitions > 1
    in_flight = min(PARTITIONS_IN_FLIGHT, partitions)
    zone_names, segment_names = labels.get("zone", []), labels.get("segment", [])
    sums = _Sums(len(zone_names), len(place_ids), len(segment_names), _spill_dir(con))
    try:
        with (ThreadPoolExecutor(max_workers=4, thread_name_prefix="pipeline-write") as pool,
              ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="pipeline-presence") as side,
              ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="pipeline-partition") as compute):
            shared = _Shared(
                zones=zone_names, place_ids=place_ids, segment_names=segment_names,
                places=staysteps.place_grid(places, ref["ref_lon"], ref["ref_lat"], float(params.place_radius_m)),
                place_codes=_codes(list(places.place_id), place_ids), cells=_CellCache(con),
                pool=pool, side=side, jobs=[], clock=clock,
            )
            if not parted:  # its stays, place visits and hourly presence are being written already
                sums.add(_stream_partition(con, params, ref, shared, "pings", at_once=True))
                clock.lap("sums")
                if progress:
                    progress(1, 2)
            else:
                running: list[Future[_PartitionOut]] = []
                try:
                    for part in range(partitions):
                        running.append(compute.submit(_partition_job, con.cursor(), params, ref, shared, part,
                                                      partitions))
                        while len(running) >= in_flight or (part == partitions - 1 and running):
                            out = running.pop(0).result()
                            clock.lap("partitions_wait")
                            shared.hand_over(con, out, sums)
                            del out
                            if progress:
                                progress(part + 1 - len(running), partitions + 1)
                finally:
                    for job in running:  # after a failure: start no more partitions
                        job.cancel()
            # the summed tables, a slice at a time: hourly presence on a write thread, trips on this one
            if parted:
                shared.jobs.append(pool.submit(_write_slices, con, "build/write_visits_hourly",
                                               "stream_visits_hourly", sums.visits_hourly(), clock))
            _write_slices(con, "build/write_trips", "stream_trips", sums.trip_counts(), clock)
            shared.drain()
            clock.lap("writes_wait")
    finally:  # after the threads are done
        sums.close()
    if progress:
        progress(partitions + 1, partitions + 1)


def _partition_job(cur: duckdb.DuckDBPyConnection, params: PipelineParams, ref: dict[str, float], shared: _Shared,
                   part: int, partitions: int) -> _PartitionOut:
    """One device partition on its own cursor (a worker thread): its device segments, then
    ``_stream_partition``."""
    shared.clock.start()
    try:
        cur.register("pings_partition", partition_relation(cur, part, partitions))
        sql.execute(cur, "build/create_device_segments", idents={"pings": "pings_partition"})
        shared.clock.lap("segments")
        return _stream_partition(cur, params, ref, shared, "pings_partition", at_once=False)
    finally:
        cur.close()


def _stream_partition(con: duckdb.DuckDBPyConnection, params: PipelineParams, ref: dict[str, float],
                      shared: _Shared, source: str, *, at_once: bool) -> _PartitionOut:
    """The stream engine on the pings of ``source`` (whole devices, with their ``device_segments`` made on
    ``con``): stays and place visits to write, hourly presence and moves to add up. ``at_once`` (a single
    pass: nothing to add up or to keep in order) writes the stays, place visits and hourly presence while
    the rest is computed, and returns only the moves."""
    clock = shared.clock
    reader = sql.execute(con, "build/stay_stream", ref, idents={"pings": source}).to_arrow_reader(
        staydetect.BATCH_ROWS)
    # each chunk's cells and places while DuckDB hands over the next batch (the sort's output is read by
    # one thread: the stay kernel leaves this one free meanwhile; on a thread of their own, the h3 calls
    # would hold the GIL against the reader and the kernel). Lookups run on a cursor of their own: a query
    # on ``con`` would end the stream it is reading.
    lookups = con.cursor()
    try:
        chunks = []
        for stays in staydetect.stay_chunks(reader, stay_rules(params)):
            clock.lap("stay_stream")
            chunks.append(_chunk_spots(lookups, stays, params, ref, shared))
        clock.lap("stay_stream")
        if not chunks:
            chunks.append(_chunk_spots(lookups, staydetect.empty(), params, ref, shared))
    finally:
        lookups.close()
    found = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    del chunks
    device, start, end, lon, lat = found["device"], found["start_t"], found["end_t"], found["lon"], found["lat"]
    n_pings, dwell, cell, zone = found["n_pings"], found["dwell"], found["cell"], found["zone"]
    matched, distance = found["matched"], found["distance"]
    del found
    zones, segment_names = shared.zones, shared.segment_names
    # segment code per stay (device_segment_codes is in device order, as the stays)
    segments = sql.execute(con, "build/device_segment_codes").to_arrow_table()
    segment = segments.column("segment_code").to_numpy().astype(np.int32)[
        np.searchsorted(segments.column("device").to_numpy(), device)
    ]
    del segments
    sql.execute(con, "schema/drop_device_segments")
    clock.lap("segments")
    place = np.full(len(matched), -1, np.int32)  # indexed only where matched: there may be no places at all
    hit = matched >= 0
    place[hit] = shared.place_codes[matched[hit]]
    resident = segment == (segment_names.index("resident") if "resident" in segment_names else -2)
    slept = staysteps.spans_hour(start, end, params.night_hour)
    vtype = staysteps.visitor_types(device, resident, slept)
    at_home = resident & slept  # a resident's night: at home, not at a place
    place[at_home] = -1
    distance[at_home] = np.nan
    clock.lap("visitor_types")
    # hourly presence on a side thread while the stays and place visits are made and handed to their writes
    presence_args = (device, start, end, cell, zone, segment, vtype, len(zones), len(segment_names))
    if at_once:  # computed, made a table and written there: the single pass waits only for the write
        shared.jobs.append(shared.side.submit(_write_presence, con.cursor(), presence_args, clock))
    else:
        presence = shared.side.submit(_hourly_presence, *presence_args)
    writes: list[_Write] = []

    def write(query: str, view: str, columns: dict[str, Any]) -> None:
        table = _batched(pa.table(columns))
        if at_once:  # written while the rest is computed
            shared.jobs.append(shared.pool.submit(_write, con.cursor(), query, view, table, clock))
        else:  # handed over in partition order (_Shared.hand_over)
            writes.append((query, view, table))

    write("build/write_stays", "stream_stays", {
        "device": device, "stay_start": staysteps.timestamps(start), "stay_end": staysteps.timestamps(end),
        "lon": lon, "lat": lat, "cell": cell, "zone_code": _nullable(zone), "place_code": _nullable(place),
        "place_distance_m": pa.array(distance, from_pandas=True), "segment_code": segment,
        "visitor_type_code": vtype, "n_pings": n_pings, "dwell_minutes": dwell,
    })
    first, visit_end, n_stays = staysteps.place_visits(
        device, start, end, place, float(params.visit_merge_gap_minutes) * 60000000
    )
    write("build/write_place_visits", "stream_place_visits", {
        "device": device[first], "place_code": place[first], "visit_start": staysteps.timestamps(start[first]),
        "visit_end": staysteps.timestamps(visit_end), "dwell_minutes": (visit_end - start[first]) / 60000000.0,
        "segment_code": segment[first], "visitor_type_code": vtype[first], "n_stays": n_stays.astype(np.int32),
    })
    clock.lap("place_visits")
    hourly = None if at_once else presence.result()
    clock.lap("hourly_presence")
    zone_to, zone_from = staysteps.moves(device, end, zone)
    place_to, place_from = staysteps.moves(device, end, place)
    dest = np.concatenate([zone_to, place_to])
    moves = {
        "day": end[np.concatenate([zone_from, place_from])] // staysteps.DAY_US,
        "level_code": np.repeat(np.array([0, 1], np.int8), [len(zone_to), len(place_to)]),
        "origin_code": np.concatenate([zone[zone_from], place[place_from]]),
        "destination_code": np.concatenate([zone[zone_to], place[place_to]]),
        "segment_code": segment[dest], "visitor_type_code": vtype[dest],
    }
    clock.lap("trips")
    return _PartitionOut(writes, hourly, moves)


def _chunk_spots(con: duckdb.DuckDBPyConnection, stays: dict[str, np.ndarray], params: PipelineParams,
                 ref: dict[str, float], shared: _Shared) -> dict[str, np.ndarray]:
    """One chunk of stays (``staydetect.stay_chunks``) with what each stay alone decides: centre in
    degrees, dwell, H3 cell and zone of the centre rounded to 1e-4° (``_CellCache``: across chunks and
    partitions, each rounded centre is looked up once) and nearest open place (code, metres; -1/NaN)."""
    clock = shared.clock
    start, end = stays["start_t"], stays["end_t"]
    lon, lat = staysteps.to_degrees(stays["x"], stays["y"], ref["ref_lon"], ref["ref_lat"])
    keys, lat4, lon4, centre = staysteps.rounded_points(lon, lat)
    centre_cells, centre_zones = shared.cells.lookup(con, keys, lat4, lon4, params.h3_resolution, shared.zones)
    clock.lap("cells")
    dwell = (end - start) / 60000000.0
    matched, distance = staysteps.match_places(lon, lat, start, dwell, shared.places)
    clock.lap("places")
    return {"device": stays["device"], "start_t": start, "end_t": end, "lon": lon, "lat": lat,
            "n_pings": stays["n_pings"].astype(np.int32), "dwell": dwell, "cell": centre_cells[centre],
            "zone": centre_zones[centre], "matched": matched, "distance": distance}


def _hourly_presence(device: np.ndarray, start: np.ndarray, end: np.ndarray, cell: np.ndarray, zone: np.ndarray,
                     segment: np.ndarray, vtype: np.ndarray, n_zones: int, n_segments: int) -> dict[str, np.ndarray]:
    """Hourly presence of a partition's stays per (cell, zone, segment, visitor type) group, for ``_Sums``:
    rows in (group, hour) order with their hour, visitors and dwell in whole microseconds (so that
    partitions add up exactly), ``heads`` (each group's first row) and the groups' fields."""
    cell_code, cell_values = staysteps.factorize(cell)
    group = staysteps.combine_codes([
        (cell_code, len(cell_values)), (zone + 1, n_zones + 1),
        (segment, max(n_segments, 1)), (vtype, len(VISITOR_TYPES)),
    ])
    presence = staysteps.hourly_presence(device, start, end, group)
    heads = np.flatnonzero(np.diff(presence.group, prepend=-1))
    first = presence.group_first[presence.group[heads]]  # a stay of each group
    return {
        "hour": presence.hour, "visitors": presence.visitors,
        "dwell_us": presence.dwell_us, "heads": heads,
        "cell": cell[first], "zone_code": zone[first], "segment_code": segment[first],
        "visitor_type_code": vtype[first],
    }


def _write_presence(cur: duckdb.DuckDBPyConnection, args: tuple[Any, ...], clock: _Clock) -> None:
    """A single pass's hourly presence, computed (``_hourly_presence(*args)``) and written on ``cur``."""
    started = time.perf_counter()
    try:
        table = _batched(_presence_table(_hourly_presence(*args)))
    except BaseException:
        cur.close()
        raise
    clock.add("hourly_presence_side", time.perf_counter() - started)
    _write(cur, "build/write_visits_hourly", "stream_visits_hourly", table, clock)


def _write_slices(con: duckdb.DuckDBPyConnection, query: str, view: str, tables: Iterator[pa.Table],
                  clock: _Clock) -> None:
    """Write each table ``tables`` hands over (``_write``), one after another, so one slice is in memory."""
    for table in tables:
        _write(con.cursor(), query, view, _batched(table), clock)


def _spill_dir(con: duckdb.DuckDBPyConnection) -> str | None:
    """Where running sums spill (``SUMS_MEMORY_ROWS``): beside the database file (its disk holds the
    pings), or the system's temporary folder for a database in memory."""
    path = sql.fetch_one(con, "build/database_path")["path"]
    return os.path.dirname(os.path.abspath(path)) if path else None


def _batched(table: pa.Table) -> pa.Table:
    """``table`` in record batches of ``WRITE_BATCH_ROWS`` (DuckDB scans a table's batches in parallel)."""
    return pa.Table.from_batches(table.to_batches(max_chunksize=WRITE_BATCH_ROWS), table.schema)


def _nullable(codes: np.ndarray) -> pa.Array:
    """Codes with -1 as null."""
    return pa.array(codes, type=pa.int32(), mask=codes < 0)


def _write(cur: duckdb.DuckDBPyConnection, query: str, view: str, table: pa.Table, clock: _Clock | None = None) -> None:
    """Run ``query`` (an insert reading ``view``) on its own cursor with ``table`` registered as ``view``."""
    started = time.perf_counter()
    try:
        cur.register(view, table)
        sql.execute(cur, query)
    finally:
        cur.close()
        if clock is not None:
            clock.add("write:" + query.rsplit("/", 1)[-1], time.perf_counter() - started)
