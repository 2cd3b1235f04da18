"""Turn pings into stays, place visits, hourly presence and trips (two engines, the same tables).

Both engines first write ``device_segments`` (a device's segment, one group-by over the pings) and the
``labels`` table (``create_labels.sql``): the output tables store their texts (zone, place, segment,
visitor type, trip level) as integer codes in ``stays_data``, ``place_visits_data``,
``visits_hourly_data`` and ``trips_data``, and the views ``stays``, ``place_visits``, ``visits_hourly``
and ``trips`` show the texts (``create_*.sql``). Everything downstream reads the views.

``engine="stream"`` (default; ``_stream_pipeline``):

1. stay detection – one sort of the pings by (device, ts) (``stay_stream``) read as Arrow batches and
   scanned by NumPy (``geo/staydetect.py``); the stays come out in (device, start) order;
2. on that order, NumPy (``geo/staysteps.py``): cells once per distinct centre rounded to 1e-4° (the
   ``h3`` package; zones from ``create_stay_cells``), nearest open place, visitor type → ``write_stays``;
3. place visits → ``write_place_visits``; 4. hourly presence → ``write_visits_hourly``;
5. moves → ``write_trips`` (counted there). Each write runs on its own cursor while NumPy computes the
   next table.

``engine="sql"`` (``_sql_pipeline``; the reference a distributed SQL engine can run): ``detect_stays_sql``
+ ``create_stay_candidates``, ``stay_coordinates`` + ``create_stay_cells``, ``insert_stays``,
``insert_place_visits``, ``insert_visits_hourly``, ``insert_trips``. The tests run every exact pipeline
test on both engines and compare their four tables on simulated flows.

The same code runs on real pings (an operator's feed loaded into ``pings``). Settings are the fields
of ``PipelineParams``; ``data/README.md`` ("The pipeline's settings") explains each default.
"""

from __future__ import annotations

from collections.abc import Callable
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
from geo.errors import FlowDataError
from geo.settings import H3_RESOLUTION, MAP_CENTER
from geo.vocab import EARTH_RADIUS_M, VISITOR_TYPES

#: Tables the pipeline writes, in order (``run_pipeline`` returns their row counts).
OUTPUT_TABLES = ("stays", "place_visits", "visits_hourly", "trips")

Progress = Callable[[int, int], None]

#: Ways to run the pipeline: NumPy on DuckDB's sorted stream (default) or every step in SQL.
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
) -> dict[str, int]:
    """Build stays, place_visits, visits_hourly and trips from ``pings``; returns their row counts.

    Needs ``pings``, ``places``, ``zones`` and ``cells`` in ``con``; replaces the four outputs (and the
    ``labels`` table their codes refer to). ``engine`` is ``"stream"`` (the default: NumPy on the sorted
    pings and then on the stays) or ``"sql"`` (every step a SQL file); both give the same tables.
    ``progress(step, steps)`` is called after each step.
    """
    if engine not in ENGINES:
        msg = f"engine must be one of {', '.join(ENGINES)}, got {engine!r}"
        raise ValueError(msg)
    params = params or PipelineParams()
    ref = sql.fetch_one(con, "build/reference_point", {"default_lon": MAP_CENTER[1], "default_lat": MAP_CENTER[0]})
    # the local metric projection every SQL step that measures metres takes: origin and sphere radius
    ref = {"ref_lon": float(ref["ref_lon"]), "ref_lat": float(ref["ref_lat"]), "earth_radius_m": EARTH_RADIUS_M}
    restore_order = _unordered_inserts(con)
    try:
        _prepare_outputs(con)
        if engine == "sql":
            _sql_pipeline(con, params, ref, progress)
        else:
            _stream_pipeline(con, params, ref, progress)
    finally:
        sql.execute(con, "schema/drop_device_segments")
        if restore_order:
            sql.execute(con, "build/ordered_inserts")
    return {  # counted on the coded tables: the views' joins would only slow the count
        t: int(sql.fetch_one(con, "build/count_data_rows", idents={"data_table": f"{t}_data"})["n"])
        for t in OUTPUT_TABLES
    }


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


def _prepare_outputs(con: duckdb.DuckDBPyConnection, *, segments_from_pings: bool = True) -> None:
    """Device segments (from the pings, unless given), labels, and the four empty coded tables with
    their views."""
    for table in sql.fetch_df(con, "schema/output_tables")["table_name"]:
        sql.execute(con, "schema/drop_output_table", idents={"table": table})  # an older build's base table
    if segments_from_pings:
        sql.execute(con, "build/create_device_segments")
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


def _load_stay_cells(con: duckdb.DuckDBPyConnection, resolution: int) -> None:
    """SQL engine, step 2: cells and zones of the distinct rounded stay centres (``stay_cells``)."""
    coords = sql.fetch_df(con, "build/stay_coordinates")
    _cell_zones(con, coords["lat4"].to_numpy(float), coords["lon4"].to_numpy(float), resolution)


#: Steps of the stream engine (for ``progress``).
STREAM_STEPS = 5

#: Rows per Arrow batch handed to a write (DuckDB scans a table's batches in parallel).
WRITE_BATCH_ROWS = 122_880


def _codes(values: pd.Series | list[str], labels: list[str]) -> np.ndarray:
    """Code (position in ``labels``) of each text; -1 for null or unknown."""
    return pd.Categorical(values, categories=labels).codes.astype(np.int32)


def _stream_pipeline(
    con: duckdb.DuckDBPyConnection, params: PipelineParams, ref: dict[str, float], progress: Progress | None
) -> None:
    """NumPy on the sorted pings (stays), then on the stays in (device, start) order (everything else).

    Each table is written by its ``write_*.sql`` on a cursor of its own while NumPy computes the next
    one (DuckDB and NumPy release the GIL).
    """

    def done(step: int) -> None:
        if progress:
            progress(step, STREAM_STEPS)

    reader = sql.execute(con, "build/stay_stream", ref).to_arrow_reader(staydetect.BATCH_ROWS)
    found = staydetect.stream_stays(reader, stay_rules(params))
    done(1)
    device = found.column("device").to_numpy()
    start = found.column("start_t").to_numpy()
    end = found.column("end_t").to_numpy()
    lon, lat = staysteps.to_degrees(found.column("x").to_numpy(), found.column("y").to_numpy(),
                                    ref["ref_lon"], ref["ref_lat"])
    n_pings = found.column("n_pings").to_numpy().astype(np.int32)
    del found
    dwell = (end - start) / 60000000.0
    labels = sql.fetch_df(con, "build/labels").groupby("kind")["label"].agg(list).to_dict()
    zones, place_ids, segment_names = (labels.get(k, []) for k in ("zone", "place", "segment"))

    # nearest open place (NumPy threads) while the cells are computed (the h3 loop holds the GIL)
    points = sql.fetch_df(con, "build/place_points")
    places = staysteps.place_points(
        list(points["place_id"]), points["lon"].to_numpy(float), points["lat"].to_numpy(float),
        points["open_hour"].to_numpy(float, na_value=np.nan), points["close_hour"].to_numpy(float, na_value=np.nan),
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="match-places") as side:
        matching = side.submit(staysteps.match_places, lon, lat, start, dwell, places, ref["ref_lon"], ref["ref_lat"],
                               float(params.place_radius_m))
        # segment per stay (device_segments is in device order, as the stays)
        segments = sql.fetch_df(con, "build/device_segments")
        segment = _codes(segments["segment"], segment_names)[
            np.searchsorted(segments["device"].to_numpy(np.uint64), device)
        ]
        del segments
        # cell and zone from the centre rounded to 1e-4 degrees
        lat4, lon4, centre = staysteps.rounded_points(lon, lat)
        centre_cells = _cell_zones(con, lat4, lon4, params.h3_resolution)
        centre_zones = _codes(sql.fetch_df(con, "build/stay_cell_zones")["zone_id"], zones)
        sql.execute(con, "schema/drop_stay_cells")
        cell, zone = centre_cells[centre], centre_zones[centre]
        matched, distance = matching.result()
    place = np.full(len(matched), -1, np.int32)  # indexed only where matched: there may be no places at all
    hit = matched >= 0
    place[hit] = _codes(list(places.place_id), place_ids)[matched[hit]]
    resident = segment == (segment_names.index("resident") if "resident" in segment_names else -2)
    slept = staysteps.spans_hour(start, end, params.night_hour)
    vtype = staysteps.visitor_types(device, resident, slept)
    at_home = resident & slept  # a resident's night: at home, not at a place
    place[at_home] = -1
    distance[at_home] = np.nan

    jobs: list[Future[None]] = []
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="pipeline-write") as pool:

        def write(query: str, view: str, columns: dict[str, Any]) -> None:
            table = pa.table(columns)
            table = pa.Table.from_batches(table.to_batches(max_chunksize=WRITE_BATCH_ROWS), table.schema)
            jobs.append(pool.submit(_write, con.cursor(), query, view, table))

        write("build/write_stays", "stream_stays", {
            "device": device, "stay_start": staysteps.timestamps(start), "stay_end": staysteps.timestamps(end),
            "lon": lon, "lat": lat, "cell": cell, "zone_code": _nullable(zone), "place_code": _nullable(place),
            "place_distance_m": pa.array(distance, from_pandas=True), "segment_code": segment,
            "visitor_type_code": vtype, "n_pings": n_pings, "dwell_minutes": dwell,
        })
        done(2)
        first, visit_end, n_stays = staysteps.place_visits(
            device, start, end, place, float(params.visit_merge_gap_minutes) * 60000000
        )
        write("build/write_place_visits", "stream_place_visits", {
            "device": device[first], "place_code": place[first], "visit_start": staysteps.timestamps(start[first]),
            "visit_end": staysteps.timestamps(visit_end), "dwell_minutes": (visit_end - start[first]) / 60000000.0,
            "segment_code": segment[first], "visitor_type_code": vtype[first], "n_stays": n_stays.astype(np.int32),
        })
        done(3)
        cell_code, cell_values = staysteps.factorize(centre_cells)
        group = staysteps.combine_codes([
            (cell_code[centre], len(cell_values)), (zone + 1, len(zones) + 1),
            (segment, max(len(segment_names), 1)), (vtype, len(VISITOR_TYPES)),
        ])
        presence = staysteps.hourly_presence(device, start, end, group)
        row = presence.group_row
        write("build/write_visits_hourly", "stream_visits_hourly", {
            "ts_hour": staysteps.timestamps(presence.hour_us), "cell": cell[row], "zone_code": _nullable(zone[row]),
            "segment_code": segment[row], "visitor_type_code": vtype[row],
            "visitors": presence.visitors, "dwell_minutes": presence.dwell_minutes,
        })
        del presence, row, group
        done(4)
        zone_to, zone_from = staysteps.moves(device, end, zone)
        place_to, place_from = staysteps.moves(device, end, place)
        dest = np.concatenate([zone_to, place_to])
        write("build/write_trips", "stream_moves", {
            "day": pa.array((end[np.concatenate([zone_from, place_from])] // staysteps.DAY_US).astype(np.int32),
                            type=pa.date32()),
            "level_code": np.repeat(np.array([0, 1], np.int8), [len(zone_to), len(place_to)]),
            "origin_code": np.concatenate([zone[zone_from], place[place_from]]),
            "destination_code": np.concatenate([zone[zone_to], place[place_to]]),
            "segment_code": segment[dest], "visitor_type_code": vtype[dest],
        })
    for job in jobs:
        job.result()  # a failed write raises here
    done(5)


def _nullable(codes: np.ndarray) -> pa.Array:
    """Codes with -1 as null."""
    return pa.array(codes, type=pa.int32(), mask=codes < 0)


def _write(cur: duckdb.DuckDBPyConnection, query: str, view: str, table: pa.Table) -> None:
    """Run ``query`` (an insert reading ``view``) on its own cursor with ``table`` registered as ``view``."""
    try:
        cur.register(view, table)
        sql.execute(cur, query)
    finally:
        cur.close()
