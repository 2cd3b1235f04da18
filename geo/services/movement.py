"""Answer movement questions: origin-destination corridors between zones or places, and routes between places.

Corridors come from the ``od_daily`` rollup (``queries/rollups/20_od_daily.sql``), never from raw trips.
Routes go through a ``RouteEngine``. The atlas ships ``StraightLineRouter`` (haversine distance, time at
an assumed average speed, ``ATLAS_ROUTE_SPEED_KMH``); a road-network router (e.g. one built on an
imported OSM graph) only has to implement ``RouteEngine.leg`` and be returned by ``route_engine``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
import pandas as pd

from geo import sql
from geo.errors import FilterError
from geo.services._require import require_macros, require_tables
from geo.services.filters import Filters
from geo.vocab import EARTH_RADIUS_M, FLOW_LEVELS

#: Most corridors a page may ask for (keeps the map well under the DOM budget).
MAX_CORRIDORS = 100

STRAIGHT_LINE_LABEL = "straight-line (no road network imported)"


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two WGS84 points given as (lon, lat)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat = p2 - p1
    dlon = math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class Stop:
    """A point of an itinerary (a place)."""

    place_id: str
    name_en: str
    name_th: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Leg:
    """One leg of a route: distance in metres, time in minutes, path as (lat, lon) pairs."""

    origin: Stop
    destination: Stop
    distance_m: float
    minutes: float
    path: tuple[tuple[float, float], ...]


class RouteEngine(Protocol):
    """Anything that can route one leg between two stops (straight line today, a road graph later)."""

    #: Short label shown with every route drawn by this engine.
    label: str

    def leg(self, origin: Stop, destination: Stop) -> Leg:
        """The leg from ``origin`` to ``destination``."""
        ...


@dataclass(frozen=True)
class StraightLineRouter:
    """Routes as straight great-circle segments; time = distance ÷ ``speed_kmh`` (an assumed average)."""

    speed_kmh: float = 25.0
    label: str = STRAIGHT_LINE_LABEL

    def __post_init__(self) -> None:
        if not self.speed_kmh > 0:
            msg = f"speed_kmh must be positive, got {self.speed_kmh}"
            raise ValueError(msg)

    def leg(self, origin: Stop, destination: Stop) -> Leg:
        """A straight leg with haversine distance and time at the assumed speed."""
        distance = haversine_m(origin.lon, origin.lat, destination.lon, destination.lat)
        minutes = distance / 1000 / self.speed_kmh * 60
        return Leg(origin, destination, distance, minutes, ((origin.lat, origin.lon), (destination.lat, destination.lon)))


def route_engine(con: duckdb.DuckDBPyConnection, speed_kmh: float) -> RouteEngine:
    """The engine for this database: straight lines until a road network is imported (hook for a road router).

    ``speed_kmh`` is the assumed average speed of straight-line legs (``ATLAS_ROUTE_SPEED_KMH``, passed in by
    the caller so it is part of a cached route's key).
    """
    del con  # a road router would be chosen here when a roads table is present
    return StraightLineRouter(speed_kmh=speed_kmh)


def route_legs(stops: Sequence[Stop], engine: RouteEngine) -> list[Leg]:
    """Legs between consecutive stops, in order."""
    return [engine.leg(a, b) for a, b in zip(stops, stops[1:], strict=False)]


def _flow_params(filters: Filters) -> dict[str, Any]:
    p = filters.params()
    return {k: p[k] for k in ("start", "end", "weekdays", "segments")}


def _check_level(level: str) -> None:
    if level not in FLOW_LEVELS:
        msg = f"Flows are between {' or '.join(FLOW_LEVELS)}s; got {level!r}."
        raise FilterError(msg)


def top_corridors(con: duckdb.DuckDBPyConnection, filters: Filters, level: str = "zone", top_n: int = 20) -> pd.DataFrame:
    """The ``top_n`` busiest directed corridors (origin ≠ destination) for the filters, busiest first.

    Columns: rank, origin, origin_name_en/_th, origin_lon/_lat, destination, destination_name_en/_th,
    destination_lon/_lat, trips (count in the period), trips_per_day, share (of all corridor trips).
    The hours filter does not apply: trips are daily.
    """
    _check_level(level)
    require_tables(con, "od_daily")
    require_macros(con, "od_filtered")
    top_n = max(1, min(int(top_n), MAX_CORRIDORS))
    df = sql.fetch_df(con, "app/movement_corridors", {**_flow_params(filters), "level": level, "top_n": top_n})
    totals = flow_totals(con, filters, level)
    days = max(filters.days, 1)
    df["trips_per_day"] = df["trips"] / days
    df["share"] = df["trips"] / totals.corridor_trips if totals.corridor_trips else 0.0
    return df


@dataclass(frozen=True)
class FlowTotals:
    """Trips between different origins and destinations, trips within one, and corridors with trips."""

    corridor_trips: int
    internal_trips: int
    corridors: int


def flow_totals(con: duckdb.DuckDBPyConnection, filters: Filters, level: str = "zone") -> FlowTotals:
    """Trips between different origins and destinations, trips within one, and the number of corridors."""
    _check_level(level)
    require_tables(con, "od_daily")
    require_macros(con, "od_filtered")
    row = sql.fetch_one(con, "app/movement_flow_totals", {**_flow_params(filters), "level": level}) or {}
    return FlowTotals(**{k: int(row.get(k) or 0) for k in ("corridor_trips", "internal_trips", "corridors")})


def route_stops(con: duckdb.DuckDBPyConnection, place_ids: Sequence[str]) -> pd.DataFrame:
    """The places of an itinerary in the given order (unknown ids are left out)."""
    df = sql.fetch_df(con, "app/movement_route_stops", {"place_ids": list(place_ids)})
    return df.drop(columns=["stop_order"]).reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Route:
    """A route through places in the order given, with its totals and the routing method.

    ``legs`` has one row per leg: leg (1, 2, …), from_id, from_name, from_name_th, to_id, to_name,
    to_name_th, distance_km, minutes and path (a list of [lat, lon] points). ``stops`` has the places found,
    in the order given (place_id, name_en, name_th, category, lon, lat). ``distance_km`` and ``minutes``
    are the sums over the legs; ``label`` names the routing method (e.g. straight-line), shown with the route;
    ``speed_kmh`` is the engine's assumed average speed (0.0 when it has none); ``missing`` are the ids
    given that name no place, in the order given. Compared by identity (``eq=False``): its DataFrames have
    no single truth value.
    """

    legs: pd.DataFrame
    stops: pd.DataFrame
    distance_km: float
    minutes: float
    label: str
    speed_kmh: float
    missing: tuple[str, ...]


def plan_route(
    con: duckdb.DuckDBPyConnection,
    place_ids: Sequence[str],
    *,
    speed_kmh: float,
) -> Route:
    """Route through ``place_ids`` in order with the database's engine (unknown ids are left out, see ``Route``)."""
    stops_df = route_stops(con, place_ids)
    found = set(stops_df["place_id"])
    stops = [
        Stop(r["place_id"], r["name_en"], r["name_th"], float(r["lon"]), float(r["lat"]))
        for r in stops_df.to_dict("records")
    ]
    engine = route_engine(con, speed_kmh)
    legs = route_legs(stops, engine)
    rows = [
        {
            "leg": i + 1,
            "from_id": leg.origin.place_id,
            "from_name": leg.origin.name_en,
            "from_name_th": leg.origin.name_th,
            "to_id": leg.destination.place_id,
            "to_name": leg.destination.name_en,
            "to_name_th": leg.destination.name_th,
            "distance_km": leg.distance_m / 1000,
            "minutes": leg.minutes,
            "path": [list(p) for p in leg.path],
        }
        for i, leg in enumerate(legs)
    ]
    columns = ["leg", "from_id", "from_name", "from_name_th", "to_id", "to_name", "to_name_th",
               "distance_km", "minutes", "path"]
    legs_df = pd.DataFrame(rows, columns=columns)
    return Route(
        legs=legs_df,
        stops=stops_df,
        distance_km=float(legs_df["distance_km"].sum()),
        minutes=float(legs_df["minutes"].sum()),
        label=engine.label,
        speed_kmh=float(getattr(engine, "speed_kmh", 0.0)),
        missing=tuple(p for p in place_ids if p not in found),
    )
