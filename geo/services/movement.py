"""Answer movement questions: origin-destination corridors between zones or places, and routes between places.

Corridors come from the ``od_daily`` rollup (``queries/rollups/20_od_daily.sql``), never from raw trips.
Routes go through a ``RouteEngine``: ``geo.services.roads.RoadRouter`` on an imported OpenStreetMap road
network (fastest free-flow paths, places snapped to the nearest road), else ``StraightLineRouter``
(haversine distance, time at an assumed average speed, ``ATLAS_ROUTE_SPEED_KMH``), labelled as such.
``route_engine`` picks the one the database allows. ``plan_route`` keeps the order given or finds the best
one (``geo.services.tours``: exact up to ``tours.EXACT_MAX`` places, a heuristic above) and can split the
tour into days that respect the places' opening hours.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import duckdb
import numpy as np
import pandas as pd

from geo import sql
from geo.errors import FilterError
from geo.i18n import _
from geo.services._require import require_macros, require_tables
from geo.services.filters import Filters
from geo.vocab import EARTH_RADIUS_M, FLOW_LEVELS, MAX_TOUR_PLACES, STRAIGHT_LINE_LABEL

#: Most corridors a page may ask for (keeps the map well under the DOM budget).
MAX_CORRIDORS = 100



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
    """One leg of a route: distance in metres, time in minutes, path as (lat, lon) pairs; whether it follows
    roads, how far each end lies from the road it joins (metres, ``None`` when not snapped), its turn points
    (``geo.roadgraph.Turn``) and why it is a straight line when a road router could not route it."""

    origin: Stop
    destination: Stop
    distance_m: float
    minutes: float
    path: tuple[tuple[float, float], ...]
    on_roads: bool = False
    snap_from_m: float | None = None
    snap_to_m: float | None = None
    turns: tuple[Any, ...] = ()
    note: str = ""


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

    def matrix(self, stops: Sequence[Stop]) -> np.ndarray:
        """Seconds between every ordered pair of stops at the assumed speed."""
        out = np.zeros((len(stops), len(stops)))
        for i, a in enumerate(stops):
            for j, b in enumerate(stops):
                if i != j:
                    out[i, j] = haversine_m(a.lon, a.lat, b.lon, b.lat) / (self.speed_kmh / 3.6)
        return out


def route_engine(con: duckdb.DuckDBPyConnection, speed_kmh: float) -> RouteEngine:
    """The engine for this database: on roads when a road network is imported, else straight lines.

    ``speed_kmh`` is the assumed average speed of straight-line legs (``ATLAS_ROUTE_SPEED_KMH``, passed in by
    the caller so it is part of a cached route's key); a road router uses it for places too far from a road.
    """
    from geo.services import roads

    router = roads.road_router(con, speed_kmh)
    return router if router is not None else StraightLineRouter(speed_kmh=speed_kmh)


def route_legs(stops: Sequence[Stop], engine: RouteEngine) -> list[Leg]:
    """Legs between consecutive stops, in order (in one batch when the engine can)."""
    batch = getattr(engine, "legs", None)
    if batch is not None:
        return list(batch(stops))
    return [engine.leg(a, b) for a, b in zip(stops, stops[1:], strict=False)]


def _matrix(stops: Sequence[Stop], engine: RouteEngine) -> np.ndarray:
    batch = getattr(engine, "matrix", None)
    if batch is not None:
        return np.asarray(batch(stops), dtype=np.float64)
    out = np.zeros((len(stops), len(stops)))
    for i, a in enumerate(stops):
        for j, b in enumerate(stops):
            if i != j:
                out[i, j] = engine.leg(a, b).minutes * 60
    return out


def _flow_params(filters: Filters) -> dict[str, Any]:
    p = filters.params()
    return {k: p[k] for k in ("start", "end", "weekdays", "segments")}


def _check_level(level: str) -> None:
    if level not in FLOW_LEVELS:
        msg = _("Flows are between zones or places; got {level!r}.").format(level=level)
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
    #: ESTIMATED trips between different origins and destinations (trips × expansion weights)
    est_corridor_trips: float = 0.0


def flow_totals(con: duckdb.DuckDBPyConnection, filters: Filters, level: str = "zone") -> FlowTotals:
    """Trips between different origins and destinations, trips within one, and the number of corridors."""
    _check_level(level)
    require_tables(con, "od_daily")
    require_macros(con, "od_filtered")
    row = sql.fetch_one(con, "app/movement_flow_totals", {**_flow_params(filters), "level": level}) or {}
    return FlowTotals(**{k: int(row.get(k) or 0) for k in ("corridor_trips", "internal_trips", "corridors")},
                      est_corridor_trips=float(row.get("est_corridor_trips") or 0.0))


def route_stops(con: duckdb.DuckDBPyConnection, place_ids: Sequence[str]) -> pd.DataFrame:
    """The places of an itinerary in the given order (unknown ids are left out)."""
    df = sql.fetch_df(con, "app/movement_route_stops", {"place_ids": list(place_ids)})
    return df.drop(columns=["stop_order"]).reset_index(drop=True)


#: Ways ``plan_route`` orders the places: as given, or the best order (``geo.services.tours``).
ROUTE_ORDERS: tuple[str, ...] = ("given", "best")
LEG_COLUMNS = ["leg", "from_id", "from_name", "from_name_th", "to_id", "to_name", "to_name_th",
               "distance_km", "minutes", "path", "on_roads", "snap_from_m", "snap_to_m", "note"]
TURN_COLUMNS = ["leg", "lat", "lon", "angle", "road", "instruction"]
DAY_COLUMNS = ["step", "place_id", "name_en", "name_th", "day", "arrive", "start", "depart", "wait_min", "note"]


@dataclass(frozen=True, eq=False)
class Route:
    """A route through places, with its totals and the routing method.

    ``legs`` has one row per leg: leg (1, 2, …), from_id, from_name, from_name_th, to_id, to_name,
    to_name_th, distance_km, minutes, path (a list of [lat, lon] points), on_roads (the leg follows the road
    network), snap_from_m / snap_to_m (metres from each place to the road it joins; empty for a straight
    leg's place too far from any road) and note (why a leg is a straight line). ``stops`` has the places
    found, in visiting order (place_id, name_en, name_th, category, lon, lat, open_hour, close_hour).
    ``distance_km`` and ``minutes`` are the sums over the legs; ``label`` names the routing method (on
    roads or straight-line), shown with the route; ``speed_kmh`` is the assumed average speed of
    straight-line legs (0.0 when the engine has none); ``missing`` are the ids given that name no place, in
    the order given. ``order`` says how the order was chosen (``as chosen``, ``best order (exact)``,
    ``best order (heuristic)``); a ``closed`` route's last leg returns to the first place. ``turns`` lists
    the turn points (leg, lat, lon, angle, road, instruction), ``days`` the day plan when a day length was
    given (step, place, day, arrive/start/depart as HH:MM, wait_min, note). Compared by identity
    (``eq=False``): its DataFrames have no single truth value.
    """

    legs: pd.DataFrame
    stops: pd.DataFrame
    distance_km: float
    minutes: float
    label: str
    speed_kmh: float
    missing: tuple[str, ...]
    order: str = "as chosen"
    closed: bool = False
    turns: pd.DataFrame | None = None
    days: pd.DataFrame | None = None

    @property
    def on_roads(self) -> bool:
        """Every leg follows the road network."""
        return bool(len(self.legs)) and bool(self.legs["on_roads"].all())


def _hour(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def plan_route(
    con: duckdb.DuckDBPyConnection,
    place_ids: Sequence[str],
    *,
    speed_kmh: float,
    order: str = "given",
    closed: bool = False,
    day_hours: float | None = None,
    start_hour: float = 9.0,
    visit_minutes: float = 60.0,
) -> Route:
    """Route through ``place_ids`` with the database's engine (unknown ids are left out, see ``Route``).

    ``order="best"`` reorders the places after the first (which stays the start) for the least driving
    time, or with ``day_hours`` for the fewest days that respect opening hours (``geo.services.tours``);
    ``closed`` adds the way back to the first place. ``day_hours`` (with ``start_hour`` and
    ``visit_minutes`` at each place) splits the route into days.
    """
    from geo.services import tours

    if order not in ROUTE_ORDERS:
        msg = _("The order of an itinerary is one of {choices}; got {order!r}.").format(
            choices=", ".join(ROUTE_ORDERS), order=order)
        raise FilterError(msg)
    if day_hours is not None and not 0 < day_hours <= 24:
        msg = _("A day lasts more than 0 and at most 24 hours; got {hours!r}.").format(hours=day_hours)
        raise FilterError(msg)
    stops_df = route_stops(con, place_ids)
    found = set(stops_df["place_id"])
    stops = [
        Stop(r["place_id"], r["name_en"], r["name_th"], float(r["lon"]), float(r["lat"]))
        for r in stops_df.to_dict("records")
    ]
    engine = route_engine(con, speed_kmh)
    plan = None
    if day_hours is not None:
        plan = tours.DayPlan(start_hour, day_hours, visit_minutes,
                             tuple(_hour(v) for v in stops_df["open_hour"]), tuple(_hour(v) for v in stops_df["close_hour"]))
    method = "as chosen"
    if order == "best" and len(stops) >= 3:
        if len(stops) > MAX_TOUR_PLACES:
            msg = _("The best order is found for up to {n} places; {chosen} were chosen.").format(
                n=MAX_TOUR_PLACES, chosen=len(stops))
            raise FilterError(msg)
        tour = tours.best_order(_matrix(stops, engine), closed=closed, plan=plan)
        stops = [stops[i] for i in tour.order]
        stops_df = stops_df.iloc[list(tour.order)].reset_index(drop=True)
        if plan is not None:
            plan = tours.DayPlan(start_hour, day_hours or 0.0, visit_minutes,
                                 tuple(plan.open_hour[i] for i in tour.order),
                                 tuple(plan.close_hour[i] for i in tour.order))
        method = f"best order ({tour.method})"
    sequence = stops + ([stops[0]] if closed and len(stops) > 1 else [])
    legs = route_legs(sequence, engine)
    rows, turns = [], []
    for i, leg in enumerate(legs):
        rows.append({
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
            "on_roads": leg.on_roads,
            "snap_from_m": leg.snap_from_m,
            "snap_to_m": leg.snap_to_m,
            "note": leg.note,
        })
        turns += [{"leg": i + 1, "lat": t.lat, "lon": t.lon, "angle": t.angle, "road": t.road,
                   "instruction": t.instruction} for t in leg.turns]
    legs_df = pd.DataFrame(rows, columns=LEG_COLUMNS).astype({"on_roads": bool, "snap_from_m": "float64",
                                                              "snap_to_m": "float64"})
    days = None
    if plan is not None and stops:
        n = len(stops)
        seconds = np.zeros((n, n))
        for i, leg in enumerate(legs):
            seconds[i % n, (i + 1) % n] = leg.minutes * 60
        sched = tours.schedule(seconds, list(range(n)), plan, closed=closed)
        recs = stops_df.iloc[sched["place"].to_numpy()].reset_index(drop=True)
        days = pd.DataFrame({
            "step": sched["step"], "place_id": recs["place_id"], "name_en": recs["name_en"],
            "name_th": recs["name_th"], "day": sched["day"],
            "arrive": [tours.clock(m) for m in sched["arrive"]], "start": [tours.clock(m) for m in sched["start"]],
            "depart": [tours.clock(m) for m in sched["depart"]], "wait_min": sched["wait_min"].round(0),
            "note": sched["note"],
        }, columns=DAY_COLUMNS)
    return Route(
        legs=legs_df,
        stops=stops_df,
        distance_km=float(legs_df["distance_km"].sum()),
        minutes=float(legs_df["minutes"].sum()),
        label=engine.label,
        speed_kmh=float(getattr(engine, "speed_kmh", 0.0)),
        missing=tuple(p for p in place_ids if p not in found),
        order=method,
        closed=closed and len(stops) > 1,
        turns=pd.DataFrame(turns, columns=TURN_COLUMNS),
        days=days,
    )
