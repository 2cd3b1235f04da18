"""Turn pings into stays, place visits, hourly presence and trips by running the pipeline SQL files.

Steps (each a file in ``queries/pipeline/``, run in this order by ``run_pipeline``):

1. stay detection – one sort of the pings by (device, ts) (``stay_stream``) read as Arrow batches and
   scanned by NumPy (``geo/staydetect.py``), or the same rules as one SQL window (``detect_stays_sql``,
   ``stay_engine="sql"``); ``create_stay_candidates`` adds timestamps, degrees and the segment;
2. ``stay_coordinates`` → H3 cells in Python (the ``h3`` package; DuckDB has no offline H3), once per
   distinct stay centre rounded to 1e-4° → ``create_stay_cells`` (zone from the ``cells`` table, an
   exact point-in-polygon only for cells missing from it);
3. ``create_stays`` + ``insert_stays`` – cell, zone, nearest place, visitor type;
4. ``create_place_visits`` + ``insert_place_visits``;
5. ``create_visits_hourly`` + ``insert_visits_hourly`` – unique devices per cell × hour without a
   distinct count;
6. ``create_trips`` + ``insert_trips`` – zone and place origin-destination moves per day (from ``stays``
   alone: one window serves both levels).

The same files run on real pings (an operator's feed loaded into ``pings``). Settings are the fields
of ``PipelineParams``; ``data/README.md`` ("The pipeline's settings") explains each default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import h3
import numpy as np
import pandas as pd

from geo import sql, staydetect
from geo.settings import H3_RESOLUTION, MAP_CENTER

#: Tables the pipeline writes, in order (``run_pipeline`` returns their row counts).
OUTPUT_TABLES = ("stays", "place_visits", "visits_hourly", "trips")

Progress = Callable[[int, int], None]

#: Ways to run stay detection: NumPy on DuckDB's sorted stream (default) or one SQL window.
STAY_ENGINES = ("stream", "sql")


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


def _stay_cells_frame(con: duckdb.DuckDBPyConnection, resolution: int) -> pd.DataFrame:
    coords = sql.fetch_df(con, "pipeline/stay_coordinates")
    lat = coords["lat4"].to_numpy(float)
    lon = coords["lon4"].to_numpy(float)
    return pd.DataFrame({"lat4": lat, "lon4": lon, "cell": h3_cells(lat, lon, resolution)})


def run_pipeline(
    con: duckdb.DuckDBPyConnection,
    params: PipelineParams | None = None,
    progress: Progress | None = None,
    *,
    stay_engine: str = "stream",
) -> dict[str, int]:
    """Build stays, place_visits, visits_hourly and trips from ``pings``; returns their row counts.

    Needs ``pings``, ``places``, ``zones`` and ``cells`` in ``con``; replaces the four output tables.
    ``stay_engine`` is ``"stream"`` (NumPy on the sorted pings, the default) or ``"sql"`` (the same
    rules as one SQL window); both give the same stays. ``progress(step, steps)`` is called after each
    step.
    """
    if stay_engine not in STAY_ENGINES:
        msg = f"stay_engine must be one of {', '.join(STAY_ENGINES)}, got {stay_engine!r}"
        raise ValueError(msg)
    params = params or PipelineParams()
    ref = sql.fetch_one(con, "pipeline/reference_point", {"default_lon": MAP_CENTER[1], "default_lat": MAP_CENTER[0]})
    ref = {"ref_lon": float(ref["ref_lon"]), "ref_lat": float(ref["ref_lat"])}
    steps: list[Callable[[], object]] = [
        lambda: _stay_candidates(con, params, ref, stay_engine),
        lambda: _load_stay_cells(con, params.h3_resolution),
        lambda: (
            sql.execute(con, "pipeline/create_stays"),
            sql.execute(con, "pipeline/insert_stays", {
                **ref, "place_radius_m": params.place_radius_m, "night_hour": params.night_hour,
            }),
        ),
        lambda: (
            sql.execute(con, "pipeline/create_place_visits"),
            sql.execute(con, "pipeline/insert_place_visits", {
                "visit_merge_gap_minutes": params.visit_merge_gap_minutes,
            }),
        ),
        lambda: (sql.execute(con, "pipeline/create_visits_hourly"), sql.execute(con, "pipeline/insert_visits_hourly")),
        lambda: (sql.execute(con, "pipeline/create_trips"), sql.execute(con, "pipeline/insert_trips")),
        lambda: (sql.execute(con, "pipeline/drop_stay_candidates"), sql.execute(con, "pipeline/drop_stay_cells")),
    ]
    restore_order = _unordered_inserts(con)
    try:
        for i, step in enumerate(steps, start=1):
            step()
            if progress:
                progress(i, len(steps))
    finally:
        if restore_order:
            sql.execute(con, "pipeline/ordered_inserts")
    return {t: int(sql.fetch_one(con, "pipeline/count_rows", idents={"table": t})["n"]) for t in OUTPUT_TABLES}


def stay_rules(params: PipelineParams) -> staydetect.StayRules:
    """The stay detection thresholds of ``params`` in the kernel's units (metres, microseconds)."""
    return staydetect.StayRules(
        radius_m=params.stay_radius_m,
        max_gap_us=params.max_gap_minutes * 60_000_000,
        min_stay_us=params.min_stay_minutes * 60_000_000,
        max_outliers=params.max_outliers,
    )


def _stay_candidates(
    con: duckdb.DuckDBPyConnection, params: PipelineParams, ref: dict[str, float], engine: str
) -> None:
    """Step 1: detect stays (``engine`` "stream" or "sql") and write the ``stay_candidates`` table."""
    if engine == "sql":
        sql.execute(con, "pipeline/detect_stays_sql", {
            **ref, **{k: getattr(params, k) for k in ("stay_radius_m", "min_stay_minutes", "max_gap_minutes", "max_outliers")},
        })
        try:
            sql.execute(con, "pipeline/create_stay_candidates", ref)
        finally:
            sql.execute(con, "pipeline/drop_detected_stays")
        return
    reader = sql.execute(con, "pipeline/stay_stream", ref).to_arrow_reader(staydetect.BATCH_ROWS)
    stays = staydetect.stream_stays(reader, stay_rules(params))
    con.register("detected_stays", stays)
    try:
        sql.execute(con, "pipeline/create_stay_candidates", ref)
    finally:
        con.unregister("detected_stays")


def _unordered_inserts(con: duckdb.DuckDBPyConnection) -> bool:
    """Let inserts ignore row order while the pipeline runs; True if the setting must be restored."""
    if not sql.fetch_one(con, "pipeline/insertion_order")["preserve"]:
        return False
    try:
        sql.execute(con, "pipeline/unordered_inserts")
    except duckdb.Error:  # a locked configuration (public mode): run with the default
        return False
    return True


def _load_stay_cells(con: duckdb.DuckDBPyConnection, resolution: int) -> None:
    frame = _stay_cells_frame(con, resolution)
    con.register("stay_cells_frame", frame)
    try:
        sql.execute(con, "pipeline/create_stay_cells")
    finally:
        con.unregister("stay_cells_frame")
