"""Answer questions about places and the data itself: name search, details, visitor profiles, nearby places, data quality.

Visitor profiles come from the ``place_profile`` and ``place_origins`` rollups (built from ``place_visits``);
data-quality notes from ``places``/``zones``/``cells`` and the ``daily_coverage``/``cell_coverage`` rollups.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from geo import sql
from geo.services._require import present_tables, require_tables
from geo.services.capacity import bbox_around
from geo.services.filters import Filters
from geo.vocab import EARTH_RADIUS_M, WEEKDAY_NAMES

#: Default radius of "nearby places", metres.
NEARBY_RADIUS_M = 1000
#: Most nearby places listed.
NEARBY_LIMIT = 25
#: Rollups the Data page's flow notes read.
COVERAGE_TABLES = ("daily_coverage", "cell_coverage")


def like_pattern(text: str) -> str:
    r"""An ILIKE "contains" pattern for ``text`` with ``\``, ``%`` and ``_`` escaped (matched literally)."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def place_labels(places: pd.DataFrame) -> dict[str, str]:
    """``place_id`` → "English name · Thai name" for pickers, in row order (columns read once, not row by row)."""
    ids, en, th = (places[c].tolist() for c in ("place_id", "name_en", "name_th"))
    return {p: f"{e} · {t}" for p, e, t in zip(ids, en, th, strict=True)}


def search_places(
    con: duckdb.DuckDBPyConnection,
    text: str = "",
    layers: Sequence[str] = (),
    categories: Sequence[str] = (),
) -> pd.DataFrame:
    """Places whose English or Thai name contains ``text`` (case-insensitive; empty text = all).

    Empty ``layers``/``categories`` mean all. Columns: place_id, layer, category, name_en, name_th,
    lat, lon, zone_id, zone_name, rooms, capacity, price_band, estimated, open_hour, close_hour.
    """
    params = {"pattern": like_pattern(text), "layers": list(layers), "categories": list(categories)}
    return sql.fetch_df(con, "app/placeinfo_search", params)


@dataclass(frozen=True)
class PlaceDetail:
    """One place with its zone's names: one field per column of ``queries/app/placeinfo_detail.sql``.

    ``lat``/``lon`` are WGS84 degrees; ``cell`` the H3 cell holding the place. ``zone_id``, ``zone_name`` and
    ``zone_name_th`` are None outside every zone. ``rooms``/``capacity`` are None when unknown (``estimated``
    says whether they are project estimates); ``price_band`` is None when not given. ``open_hour`` and
    ``close_hour`` are local hours, None when the place is always open. ``source`` is the source key.
    Texts are stored as given (escape them where they are shown).
    """

    place_id: str
    layer: str
    category: str
    name_en: str
    name_th: str
    lat: float
    lon: float
    cell: int
    zone_id: str | None
    zone_name: str | None
    zone_name_th: str | None
    rooms: int | None
    capacity: int | None
    price_band: str | None
    estimated: bool
    open_hour: int | None
    close_hour: int | None
    source: str


def place_detail(con: duckdb.DuckDBPyConnection, place_id: str) -> PlaceDetail | None:
    """One place with zone name, H3 cell, rooms/capacity and hours (see ``PlaceDetail``); None for an unknown id."""
    row = sql.fetch_one(con, "app/placeinfo_detail", {"place_id": place_id})
    return None if row is None else PlaceDetail(**row)


def nearby_places(
    con: duckdb.DuckDBPyConnection,
    place_id: str,
    radius_m: float = NEARBY_RADIUS_M,
    limit: int = NEARBY_LIMIT,
) -> pd.DataFrame:
    """Places within ``radius_m`` metres (great-circle) of ``place_id``, nearest first (with distance_m)."""
    detail = place_detail(con, place_id)
    if detail is None:
        return pd.DataFrame(columns=["place_id", "layer", "category", "name_en", "name_th", "lon", "lat", "distance_m"])
    box = bbox_around(detail.lon, detail.lat, radius_m)
    params = {"place_id": place_id, "radius_m": float(radius_m), "limit": int(limit),
              "earth_radius_m": EARTH_RADIUS_M, **box}
    return sql.fetch_df(con, "app/placeinfo_nearby", params)


@dataclass(frozen=True)
class PlaceProfile:
    """Visitor profile of one place: visits, average dwell and the breakdowns as DataFrames.

    ``by_hour`` (hour, visits, avg_dwell_minutes), ``by_month`` (month_start, month, visits), ``by_weekday``
    (weekday, day, visits), ``by_segment_group`` (segment_group, visits, share), ``origins`` (segment,
    segment_group, visitor_type, visits, share).
    """

    visits: int
    avg_dwell_minutes: float | None
    by_hour: pd.DataFrame
    by_month: pd.DataFrame
    by_weekday: pd.DataFrame
    by_segment_group: pd.DataFrame
    origins: pd.DataFrame
    #: ESTIMATED visits (visits × expansion weights of their segment group and month)
    est_visits: float = 0.0


def place_profile(con: duckdb.DuckDBPyConnection, place_id: str, filters: Filters) -> PlaceProfile:
    """Visitor profile of one place for the filters (months overlapping the date range)."""
    require_tables(con, "place_profile", "place_origins")
    p = filters.params()
    rows = sql.fetch_df(con, "app/placeinfo_profile", {"place_id": place_id, **p})
    origins = sql.fetch_df(
        con, "app/placeinfo_origins",
        {"place_id": place_id, "start": p["start"], "end": p["end"], "segments": p["segments"]},
    )
    visits = int(rows["visits"].sum()) if not rows.empty else 0
    est_visits = float(rows["est_people"].sum()) if not rows.empty else 0.0
    dwell = float(rows["dwell_minutes"].sum()) if not rows.empty else 0.0

    by_hour = rows.groupby("hour", as_index=False).agg(visits=("visits", "sum"), dwell=("dwell_minutes", "sum"))
    by_hour = (
        pd.DataFrame({"hour": range(24)}).merge(by_hour, on="hour", how="left").fillna({"visits": 0, "dwell": 0.0})
    )
    by_hour["visits"] = by_hour["visits"].astype(int)
    by_hour["avg_dwell_minutes"] = (by_hour["dwell"] / by_hour["visits"].where(by_hour["visits"] > 0)).round(1)
    by_hour = by_hour.drop(columns=["dwell"])

    by_month = rows.groupby("month_start", as_index=False).agg(visits=("visits", "sum"))
    by_month["month"] = pd.to_datetime(by_month["month_start"]).dt.strftime("%Y-%m")

    by_weekday = rows.groupby("weekday", as_index=False).agg(visits=("visits", "sum"))
    by_weekday = pd.DataFrame({"weekday": range(7)}).merge(by_weekday, on="weekday", how="left").fillna({"visits": 0})
    by_weekday["visits"] = by_weekday["visits"].astype(int)
    by_weekday["day"] = [WEEKDAY_NAMES[d] for d in by_weekday["weekday"]]

    by_group = rows.groupby("segment_group", as_index=False).agg(visits=("visits", "sum"))
    by_group["share"] = by_group["visits"] / visits if visits else 0.0
    by_group = by_group.sort_values(["visits", "segment_group"], ascending=[False, True]).reset_index(drop=True)

    total_origin = int(origins["visits"].sum()) if not origins.empty else 0
    origins["share"] = origins["visits"] / total_origin if total_origin else 0.0
    return PlaceProfile(
        visits=visits,
        est_visits=est_visits,
        avg_dwell_minutes=dwell / visits if visits else None,
        by_hour=by_hour,
        by_month=by_month,
        by_weekday=by_weekday,
        by_segment_group=by_group,
        origins=origins,
    )


def table_sizes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every table in the database with its row and column counts (pipeline tables and rollups)."""
    return sql.fetch_df(con, "app/placeinfo_table_sizes")


@dataclass(frozen=True)
class CoverageGap:
    """A day between the first and last day of visitor data with no presence rows or no trips."""

    day: date
    presence_rows: int
    hours_with_data: int
    trip_rows: int


@dataclass(frozen=True)
class DataQuality:
    """Figures for the Data page's quality notes.

    Always set: the counts of places (``places_without_zone`` outside every zone), accommodation places
    (with estimated rooms/capacity, without a room count), attractions without opening hours (always open),
    zones (``zones_approximate`` drawn by the project), H3 cells, and ``flows``: whether the coverage rollups
    (``COVERAGE_TABLES``) are built. The other fields are None without flows; with flows they hold the first
    and last day of visitor data (None when the rollups are empty), the days in that range, the days with
    presence rows, with trips and with presence in fewer than 24 hours, the cells with visitor data and
    ``gaps``: the days in range missing presence rows or trips, in date order.
    """

    places: int
    places_without_zone: int
    accommodations: int
    accommodations_estimated: int
    accommodations_without_rooms: int
    attractions_always_open: int
    zones: int
    zones_approximate: int
    cells: int
    flows: bool
    first_day: date | None = None
    last_day: date | None = None
    days_in_range: int | None = None
    days_with_presence: int | None = None
    days_with_trips: int | None = None
    days_partial_hours: int | None = None
    cells_with_data: int | None = None
    gaps: tuple[CoverageGap, ...] | None = None


def _count(value: Any) -> int:
    return int(value) if value is not None else 0


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _day(value: Any) -> date | None:
    """A date from a query value: a pandas Timestamp (from a DataFrame), a date (from ``fetch_one``) or None."""
    return value.date() if hasattr(value, "date") else value


def data_quality(con: duckdb.DuckDBPyConnection) -> DataQuality:
    """Figures for the Data page's quality notes (see ``DataQuality``; flow figures only when flows are built)."""
    places = {k: _count(v) for k, v in (sql.fetch_one(con, "app/placeinfo_quality_places") or {}).items()}
    if not set(COVERAGE_TABLES) <= present_tables(con):
        return DataQuality(**places, flows=False)
    require_tables(con, *COVERAGE_TABLES)
    flows = sql.fetch_one(con, "app/placeinfo_quality_flows") or {}
    gaps = sql.fetch_df(con, "app/placeinfo_coverage_gaps")
    return DataQuality(
        **places,  # its ``cells`` is the same count as the flow query's
        flows=True,
        first_day=_day(flows.get("first_day")),
        last_day=_day(flows.get("last_day")),
        days_in_range=_int(flows.get("days_in_range")),
        days_with_presence=_int(flows.get("days_with_presence")),
        days_with_trips=_int(flows.get("days_with_trips")),
        days_partial_hours=_int(flows.get("days_partial_hours")),
        cells_with_data=_int(flows.get("cells_with_data")),
        gaps=tuple(
            CoverageGap(day=_day(r["day"]), presence_rows=int(r["presence_rows"]),
                        hours_with_data=int(r["hours_with_data"]), trip_rows=int(r["trip_rows"]))
            for r in gaps.to_dict("records")
        ),
    )
