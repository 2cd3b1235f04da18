"""Simulate telecom-shaped visitor pings (SIMULATED data) from the places, zones and published figures.

The output has the shape of an operator's feed: one row per observation of a device, ``pings(device,
ts, lon, lat, segment)``, with ``ts`` in local Asia/Bangkok wall time (naive). Every figure the
simulator uses is read from a data file, with its source, never written here:

* ``data/seed/origin_markets.csv`` – origin segments, their share of visitors, same-day share, mean
  nights, arrival modes (air, rail, bus, road) and price preference;
* ``data/seed/calendar.csv`` – monthly seasonality, weekday and festival factors on arrivals;
* ``data/seed/activity_profiles.csv`` – hour-of-day profiles of visits, arrivals and departures,
  day-trip zones, resident habits, ping cadence and the few behavioural rules;
* ``data/seed/road_entries.csv`` – where visitors arriving by road enter the city;
* ``data/seed/event_effects.csv`` (optional) – where and when an event's crowd gathers (venue places,
  hours, share of visitor- and resident-days on the event's days that add a visit there) and the chance
  that a same-day visitor arriving on the event's days stays the night instead (``stay_over``).

How a visitor is simulated (all NumPy, vectorised over a chunk of visitors; no per-row loop):

1. draw the origin segment (shares), same-day or overnight, nights, arrival date (seasonality ×
   weekday × festivals; a same-day visitor arriving on a festival day may stay one night) and mode; arrive at the airport, railway station, a bus terminal or a road
   entry point at an hour drawn from the mode's profile;
2. overnight visitors stay at an accommodation drawn by price band (matched to the segment's price
   preference) and then by rooms;
3. every day holds up to four attraction visits drawn by category weight × place capacity, each at a
   start hour drawn from the category profile restricted to the place's opening hours, then put in
   order with travel times; some days are day trips to Doi Inthanon, Mae Rim or Doi Suthep;
4. the visitor goes back to the gateway and leaves.

Residents (segment ``resident``) are a background panel living in city cells: commute on weekdays,
outings to markets, cafés and temples, the odd weekend day trip. Stops and moves become pings by a
Poisson process whose rate follows the hour of day (sparse at night) and is higher while moving;
pings scatter around the place (GPS-like jitter) with a few cell-sized outliers. Device ids are salted
64-bit hashes. See ``data/README.md`` (section "Simulated visitor flows") for every assumption and source.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from geo import published, sql
from geo.errors import SeedDataError
from geo.settings import MAP_CENTER, ROOT
from geo.vocab import EARTH_RADIUS_M

DEFAULT_START = dt.date(2025, 11, 1)
DEFAULT_DAYS = 365
#: Visitors (arrivals in the window) simulated per 365 days when neither visitors nor pings is given:
#: about 5M pings in a year with the resident background, built in well under a minute on 2 cores.
DEFAULT_VISITORS_PER_YEAR = 19_000
#: Visitors generated per chunk: bounds memory (~4M pings, ~200 MB of arrays) whatever the total.
CHUNK_VISITORS = 20_000
#: Resident devices per chunk (each carries a year of pings).
CHUNK_RESIDENTS = 100
#: Most activities on one day (slots); a visitor-day draws how many it fills.
SLOTS = 4

SEED_DIR = ROOT / "data" / "seed"
INPUT_FILES = ("origin_markets.csv", "calendar.csv", "activity_profiles.csv", "road_entries.csv", "event_effects.csv")
#: Columns of ``event_effects.csv`` (optional: without it events lift arrivals only).
EVENT_EFFECT_COLUMNS = ("event", "places", "visitor_share", "resident_share", "hour_from", "hour_to", "dwell_minutes")
#: Optional column of ``event_effects.csv``: the chance that a same-day visitor arriving on one of the event's
#: days stays the night instead (blank or absent: 0).
STAY_OVER_COLUMN = "stay_over"

METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
#: Scatter of pings around the spot a device stays at (GPS / small-cell positioning), metres (1 sigma).
STOP_JITTER_M = 20.0
#: Scatter of the spot itself around the place's point (where in the temple or hotel), metres.
STOP_OFFSET_M = 15.0
#: Scatter of pings around the straight line while moving, metres.
MOVE_JITTER_M = 30.0
#: Share of pings positioned by a distant cell instead (an outlier), and how far off, metres.
OUTLIER_SHARE = 0.02
OUTLIER_RANGE_M = (300.0, 1500.0)
#: Shortest stay at the accommodation or home worth simulating between two outings, seconds.
MIN_BASE_STOP_S = 600
#: Shortest attraction visit kept after scheduling, seconds.
MIN_VISIT_S = 600
DAY_S = 86_400

_SEGMENT = re.compile(r"^(resident|domestic:[A-Z][A-Za-z .'-]+|international:[A-Z]{2})$")
MODES = ("air", "rail", "bus", "road")
_GATEWAY_CATEGORY = {"air": "airport", "rail": "railway_station", "bus": "bus_terminal"}
PRICE_BANDS = ("budget", "mid", "upscale", "luxury")
_HOURS = tuple(f"h{h:02d}" for h in range(24))

Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------------------------------
# Inputs (data files)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """The simulator's data files, validated."""

    markets: pd.DataFrame
    calendar: pd.DataFrame
    profiles: pd.DataFrame
    roads: pd.DataFrame
    #: event venues and hours (``event_effects.csv``); empty when the file is absent
    events: pd.DataFrame = dataclass_field(default_factory=lambda: pd.DataFrame(columns=list(EVENT_EFFECT_COLUMNS)))
    #: published share of the year's arrivals per calendar month (12 values) by segment group, from
    #: data/seed/published_stats.csv; a group listed here gets its arrivals per month rescaled to it
    monthly: dict[str, np.ndarray] | None = None

    def rule(self, name: str) -> float:
        """Value of a ``rule`` row of activity_profiles.csv."""
        rows = self.profiles[(self.profiles["kind"] == "rule") & (self.profiles["category"] == name)]
        if rows.empty:
            msg = f"activity_profiles.csv: rule {name!r} is missing"
            raise SeedDataError(msg)
        return float(rows["weight"].iloc[0])

    def hours(self, kind: str, category: str) -> np.ndarray:
        """The 24 hourly weights of one profile row (kind, category)."""
        rows = self.profiles[(self.profiles["kind"] == kind) & (self.profiles["category"] == category)]
        if rows.empty:
            msg = f"activity_profiles.csv: no {kind} row for {category!r}"
            raise SeedDataError(msg)
        return rows[list(_HOURS)].iloc[0].to_numpy(dtype=float)

    def dwell_s(self, kind: str, category: str) -> float:
        """Minutes column of one profile row, in seconds."""
        rows = self.profiles[(self.profiles["kind"] == kind) & (self.profiles["category"] == category)]
        if rows.empty:
            msg = f"activity_profiles.csv: no {kind} row for {category!r}"
            raise SeedDataError(msg)
        return float(rows["dwell_minutes"].iloc[0]) * 60.0


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    if not path.is_file():
        msg = f"{path.name}: file not found ({path})"
        raise SeedDataError(msg)
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = tuple(reader.fieldnames or ())
        if header[: len(columns)] != columns:
            msg = f"{path.name}, row 1: header must start with {','.join(columns)}"
            raise SeedDataError(msg)
        rows = list(reader)
    if not rows:
        msg = f"{path.name}: no data rows"
        raise SeedDataError(msg)
    return pd.DataFrame(rows)


def _numbers(df: pd.DataFrame, path: Path, columns: list[str], *, blank_ok: bool = False) -> None:
    for col in columns:
        raw = df[col].str.strip()
        values = pd.to_numeric(raw.where(raw != "", None), errors="coerce")
        bad = values.isna() & (raw != "" if blank_ok else True)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            msg = f"{path.name}, row {row}: {col} must be a number, got {df[col].iloc[row - 2]!r}"
            raise SeedDataError(msg)
        df[col] = values.astype(float)


def read_inputs(seed_dir: Path | None = None) -> Inputs:
    """Read and validate the simulator's data files from ``seed_dir`` (default ``data/seed``)."""
    base = seed_dir or SEED_DIR
    path = base / "origin_markets.csv"
    markets = _read_csv(path, ("segment", "share", "same_day_share", "nights_mean", *MODES, "price_pref", "source"))
    _numbers(markets, path, ["share", "same_day_share", "nights_mean", *MODES, "price_pref"])
    for i, seg in enumerate(markets["segment"]):
        if not _SEGMENT.match(seg) or seg == "resident":
            msg = f"{path.name}, row {i + 2}: segment {seg!r} must be domestic:<Province> or international:<ISO2>"
            raise SeedDataError(msg)
    if markets["segment"].duplicated().any():
        msg = f"{path.name}: segments repeat"
        raise SeedDataError(msg)
    if abs(markets["share"].sum() - 1.0) > 1e-3:
        msg = f"{path.name}: shares must add up to 1, they add up to {markets['share'].sum():.4f}"
        raise SeedDataError(msg)
    mode_sum = markets[list(MODES)].sum(axis=1)
    if (abs(mode_sum - 1.0) > 1e-3).any():
        row = int(np.flatnonzero((abs(mode_sum - 1.0) > 1e-3).to_numpy())[0]) + 2
        msg = f"{path.name}, row {row}: air + rail + bus + road must add up to 1"
        raise SeedDataError(msg)

    path = base / "calendar.csv"
    calendar = _read_csv(path, ("kind", "month", "weekday", "date_from", "date_to", "factor", "applies_to", "name"))
    _numbers(calendar, path, ["factor"])
    _numbers(calendar, path, ["month", "weekday"], blank_ok=True)
    for col in ("date_from", "date_to"):
        calendar[col] = pd.to_datetime(calendar[col].where(calendar[col] != "", None), format="%Y-%m-%d")
    for i, row in calendar.iterrows():
        kind = row["kind"]
        ok = (
            (kind == "month" and 1 <= row["month"] <= 12)
            or (kind == "weekday" and 0 <= row["weekday"] <= 6)
            or (kind == "festival" and pd.notna(row["date_from"]) and pd.notna(row["date_to"])
                and row["date_from"] <= row["date_to"])
        )
        if not ok or row["factor"] <= 0:
            msg = f"{path.name}, row {i + 2}: a {kind!r} row needs month 1-12, weekday 0-6 or date_from <= date_to, and a factor > 0"
            raise SeedDataError(msg)

    path = base / "activity_profiles.csv"
    profiles = _read_csv(path, ("kind", "category", "weight", "resident_weight", "dwell_minutes", *_HOURS))
    _numbers(profiles, path, ["weight", "resident_weight", "dwell_minutes", *_HOURS], blank_ok=True)

    path = base / "road_entries.csv"
    roads = _read_csv(path, ("entry", "lon", "lat", "weight", "segments"))
    _numbers(roads, path, ["lon", "lat", "weight"])

    path = base / "event_effects.csv"
    events = pd.DataFrame(columns=list(EVENT_EFFECT_COLUMNS))
    if path.is_file():
        events = _read_csv(path, EVENT_EFFECT_COLUMNS)
        _numbers(events, path, ["visitor_share", "resident_share", "hour_from", "hour_to", "dwell_minutes"])
        if STAY_OVER_COLUMN in events:
            _numbers(events, path, [STAY_OVER_COLUMN], blank_ok=True)
            events[STAY_OVER_COLUMN] = events[STAY_OVER_COLUMN].fillna(0.0)
        else:
            events[STAY_OVER_COLUMN] = 0.0
        bad = ~(events["visitor_share"].between(0, 1) & events["resident_share"].between(0, 1)
                & events[STAY_OVER_COLUMN].between(0, 1)
                & events["hour_from"].between(0, 23) & events["hour_to"].between(events["hour_from"], 23)
                & (events["dwell_minutes"] > 0))
        if bad.any():
            msg = (f"{path.name}, row {int(np.flatnonzero(bad.to_numpy())[0]) + 2}: shares and stay_over must be "
                   "0..1, hours 0 <= hour_from <= hour_to <= 23 and dwell_minutes > 0")
            raise SeedDataError(msg)
    monthly = None
    if (base / published.FILE_NAME).is_file():
        monthly = published.monthly_profile(published.read_published(base / published.FILE_NAME)) or None
    return Inputs(markets=markets, calendar=calendar, profiles=profiles, roads=roads, events=events,
                  monthly=monthly)


# --------------------------------------------------------------------------------------------------
# The world the simulation runs in (places, cells, profiles as arrays)
# --------------------------------------------------------------------------------------------------


def _cum(weights: np.ndarray) -> np.ndarray:
    w = np.clip(np.asarray(weights, dtype=float), 0, None)
    c = np.cumsum(w)
    return c / c[-1] if len(c) and c[-1] > 0 else c


def _draw(rng: np.random.Generator, cum: np.ndarray, n: int) -> np.ndarray:
    """n indices drawn from the normalised cumulative weights ``cum``."""
    return np.minimum(np.searchsorted(cum, rng.random(n), side="right"), len(cum) - 1)


def _draw_rows(rng: np.random.Generator, cum_rows: np.ndarray) -> np.ndarray:
    """One column index per row of ``cum_rows`` (each row a normalised cumulative distribution)."""
    u = rng.random(len(cum_rows))
    return np.minimum((cum_rows < u[:, None]).sum(axis=1), cum_rows.shape[1] - 1)


def _dist_m(lon0: np.ndarray, lat0: np.ndarray, lon1: np.ndarray, lat1: np.ndarray) -> np.ndarray:
    """Equirectangular distance in metres (accurate to <0.5% at city scale)."""
    k = np.cos(np.radians((lat0 + lat1) / 2))
    return np.hypot((lon1 - lon0) * k, lat1 - lat0) * METRES_PER_DEGREE


def _travel_s(lon0: np.ndarray, lat0: np.ndarray, lon1: np.ndarray, lat1: np.ndarray) -> np.ndarray:
    """Door-to-door travel time in seconds: 5 min + 25 km/h for the first 8 km + 50 km/h beyond."""
    km = _dist_m(lon0, lat0, lon1, lat1) / 1000.0
    minutes = 5.0 + np.minimum(km, 8.0) * 2.4 + np.maximum(km - 8.0, 0.0) * 1.2
    return np.where(km < 0.05, 0.0, minutes * 60.0)


def _offset(rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, sigma_m: float) -> tuple[np.ndarray, np.ndarray]:
    n = len(lon)
    dy = rng.normal(0.0, sigma_m, n) / METRES_PER_DEGREE
    dx = rng.normal(0.0, sigma_m, n) / (METRES_PER_DEGREE * np.cos(np.radians(lat)))
    return lon + dx, lat + dy


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser, vectorised (a good 64-bit mixing hash)."""
    z = x.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def device_ids(seed: int, index: np.ndarray) -> np.ndarray:
    """Salted 64-bit device hashes for simulated device numbers ``index`` (stable for a seed)."""
    salt = _splitmix64(np.array([seed & 0xFFFFFFFFFFFF], dtype=np.uint64))[0]
    with np.errstate(over="ignore"):
        return _splitmix64(index.astype(np.uint64) ^ salt)


@dataclass
class World:
    """Places, gateways, homes and profiles as arrays, built once per simulation."""

    lon: np.ndarray                      # every place, by row of ``places``
    lat: np.ndarray
    open_h: np.ndarray                   # opening hour (nan = always open)
    close_h: np.ndarray                  # closing hour (nan = never closes)
    hour_cum: np.ndarray                 # (places, 24) cumulative start-hour distribution
    dwell_s: np.ndarray                  # mean visit length by place, seconds
    visit_cum: np.ndarray                # over ``visit_idx``: visitors' choice of attraction
    visit_cum_res: np.ndarray            # over ``visit_idx``: residents' choice
    visit_idx: np.ndarray
    acc_bands: list[tuple[np.ndarray, np.ndarray]]  # per price band: (place rows, cumulative rooms)
    gateways: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]  # mode -> (lon, lat, cum)
    road_lon: np.ndarray
    road_lat: np.ndarray
    road_cum: np.ndarray
    road_for_segment: dict[str, int]
    trip_pools: list[tuple[np.ndarray, np.ndarray]]  # per day-trip zone: (place rows, cum capacity)
    trip_cum: np.ndarray
    trip_cum_res: np.ndarray
    trip_leave_cum: np.ndarray           # (zones, 24)
    homes: tuple[np.ndarray, np.ndarray, np.ndarray]
    works: tuple[np.ndarray, np.ndarray, np.ndarray]
    stationary_rate: np.ndarray          # pings per hour, 24
    moving_rate: np.ndarray
    place_ids: tuple[str, ...] = ()      # ``places.place_id`` by row (event venues are named by id)


def _hour_profile(weights: np.ndarray, open_h: float, close_h: float) -> np.ndarray:
    hours = np.arange(24)
    if np.isnan(open_h) or np.isnan(close_h):
        is_open = np.ones(24, bool)
    elif close_h > open_h:
        is_open = (hours >= open_h) & (hours < close_h)
    else:  # closes after midnight
        is_open = (hours >= open_h) | (hours < close_h)
    w = weights * is_open
    if w.sum() <= 0:  # the category's usual hours miss the opening hours: use the opening hours
        w = is_open.astype(float)
    # a visit starting in the last hour before closing is short: halve its weight
    if not (np.isnan(open_h) or np.isnan(close_h)):
        w[int(close_h - 1) % 24] *= 0.5
    return _cum(w)


def build_world(con: duckdb.DuckDBPyConnection, inputs: Inputs) -> World:
    """Read places and cells from ``con`` and turn them and the profiles into arrays."""
    places = sql.fetch_df(con, "build/simulation_places")
    if places.empty:
        msg = "The places table is empty: load the seed places before simulating visitor flows"
        raise SeedDataError(msg)
    lon = places["lon"].to_numpy(float)
    lat = places["lat"].to_numpy(float)
    open_h = pd.to_numeric(places["open_hour"], errors="coerce").to_numpy(float)
    close_h = pd.to_numeric(places["close_hour"], errors="coerce").to_numpy(float)
    capacity = pd.to_numeric(places["capacity"], errors="coerce").to_numpy(float)
    rooms = pd.to_numeric(places["rooms"], errors="coerce").to_numpy(float)
    category = places["category"].to_numpy(str)

    visits = inputs.profiles[inputs.profiles["kind"] == "visit"].set_index("category")
    n = len(places)
    hour_cum = np.tile(np.linspace(1 / 24, 1, 24), (n, 1))
    dwell = np.full(n, 3600.0)
    w_vis = np.zeros(n)
    w_res = np.zeros(n)
    for cat, row in visits.iterrows():
        rows = np.flatnonzero(category == cat)
        if len(rows) == 0:
            continue
        cap = capacity[rows]
        cap = np.where(np.isnan(cap), np.nanmedian(cap) if np.isfinite(cap).any() else 100.0, cap)
        w_vis[rows] = float(row["weight"]) * cap / cap.sum()
        w_res[rows] = float(row["resident_weight"]) * cap / cap.sum()
        dwell[rows] = float(row["dwell_minutes"]) * 60.0
        prof = row[list(_HOURS)].to_numpy(float)
        for r in rows:
            hour_cum[r] = _hour_profile(prof, open_h[r], close_h[r])
    visit_idx = np.flatnonzero(w_vis + w_res > 0)
    if len(visit_idx) == 0:
        msg = "No places in a visit category of activity_profiles.csv (temples, markets, ...): nothing to visit"
        raise SeedDataError(msg)

    layer = places["layer"].to_numpy(str)
    band = places["price_band"].fillna("").to_numpy(str)
    acc_bands = []
    for b in PRICE_BANDS:
        rows = np.flatnonzero((layer == "accommodation") & (band == b))
        r = rooms[rows]
        r = np.where(np.isnan(r), 10.0, r)
        acc_bands.append((rows, _cum(r) if len(rows) else np.array([])))
    if not any(len(rows) for rows, _ in acc_bands):
        msg = "No accommodation in the places table: overnight visitors need somewhere to stay"
        raise SeedDataError(msg)

    gateways = {}
    for mode, cat in _GATEWAY_CATEGORY.items():
        rows = np.flatnonzero(category == cat)
        if len(rows):
            cap = np.where(np.isnan(capacity[rows]), 100.0, capacity[rows])
            gateways[mode] = (lon[rows], lat[rows], _cum(cap))
    roads = inputs.roads
    road_for_segment = {}
    for i, segs in enumerate(roads["segments"].fillna("")):
        for seg in filter(None, (s.strip() for s in segs.split("|"))):
            road_for_segment[seg] = i

    zone_id = places["zone_id"].fillna("").to_numpy(str)
    trips = inputs.profiles[inputs.profiles["kind"] == "day_trip"]
    pools, shares, shares_res, leave = [], [], [], []
    for _, row in trips.iterrows():
        in_zone = (np.char.find(zone_id, row["category"]) >= 0) & (zone_id != "")
        rows = np.flatnonzero((layer == "attraction") & in_zone)
        if len(rows) == 0:
            continue
        cap = np.where(np.isnan(capacity[rows]), 100.0, capacity[rows])
        pools.append((rows, _cum(cap)))
        shares.append(float(row["weight"]))
        shares_res.append(float(row["resident_weight"]))
        leave.append(_cum(row[list(_HOURS)].to_numpy(float)))

    cells = sql.fetch_df(con, "build/simulation_cells")
    c_lat, c_lon = MAP_CENTER
    radius_km = inputs.rule("resident_home_radius_km")
    if not cells.empty:
        d = _dist_m(cells["lon"].to_numpy(float), cells["lat"].to_numpy(float), c_lon, c_lat) / 1000
        keep = d <= radius_km
        if keep.sum() >= 3:
            hl, ht, dk = cells["lon"].to_numpy(float)[keep], cells["lat"].to_numpy(float)[keep], d[keep]
            homes = (hl, ht, _cum(np.exp(-dk / 3.0)))
            works = (hl, ht, _cum(np.exp(-dk / 1.5)))
        else:
            cells = cells.iloc[0:0]
    if cells.empty:  # no cells table: a ring of points around the centre
        ang = np.linspace(0, 2 * np.pi, 64, endpoint=False)
        r_m = np.tile([500.0, 1500.0, 3000.0, 4500.0], 16)
        hl = c_lon + r_m * np.cos(ang) / (METRES_PER_DEGREE * math.cos(math.radians(c_lat)))
        ht = c_lat + r_m * np.sin(ang) / METRES_PER_DEGREE
        homes = (hl, ht, _cum(np.exp(-r_m / 3000.0)))
        works = (hl, ht, _cum(np.exp(-r_m / 1500.0)))

    return World(
        lon=lon, lat=lat, open_h=open_h, close_h=close_h, hour_cum=hour_cum, dwell_s=dwell,
        visit_cum=_cum(w_vis[visit_idx]), visit_cum_res=_cum(w_res[visit_idx]), visit_idx=visit_idx,
        acc_bands=acc_bands, gateways=gateways,
        road_lon=roads["lon"].to_numpy(float), road_lat=roads["lat"].to_numpy(float),
        road_cum=_cum(roads["weight"].to_numpy(float)), road_for_segment=road_for_segment,
        trip_pools=pools, trip_cum=_cum(np.array(shares)) if pools else np.array([]),
        trip_cum_res=_cum(np.array(shares_res)) if pools else np.array([]),
        trip_leave_cum=np.array(leave) if pools else np.zeros((0, 24)),
        homes=homes, works=works,
        stationary_rate=np.maximum(inputs.hours("ping", "stationary"), 1e-3),
        moving_rate=np.maximum(inputs.hours("ping", "moving"), 1e-3),
        place_ids=tuple(places["place_id"].astype(str)),
    )


# --------------------------------------------------------------------------------------------------
# Calendar: arrival-date weights
# --------------------------------------------------------------------------------------------------


def _applies(applies_to: str, segment: str, same_day: bool) -> bool:
    if applies_to == "all":
        return True
    if applies_to == "same_day":
        return same_day
    if applies_to == "overnight":
        return not same_day
    return segment == applies_to or segment.startswith(applies_to + ":")


def _calendar_rows(inputs: Inputs, first_day: dt.date, n_days: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Each calendar row's factor on each day, for overnight and for same-day arrivals (rows × days)."""
    cal = inputs.calendar
    days = np.datetime64(first_day, "D") + np.arange(n_days)
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    weekday = (days.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    overnight = np.ones((len(cal), n_days))
    same_day = np.ones((len(cal), n_days))
    for i, row in enumerate(cal.itertuples(index=False)):
        if row.kind == "month":
            hit = month == int(row.month)
            overnight[i, hit] = same_day[i, hit] = row.factor
        elif row.kind == "weekday":
            hit = weekday == int(row.weekday)
            overnight[i, hit] = same_day[i, hit] = row.factor
        else:
            lo = np.datetime64(row.date_from.date(), "D")
            hi = np.datetime64(row.date_to.date(), "D")
            same_day[i, (days >= lo) & (days <= hi)] = row.factor
            overnight[i, (days >= lo - 2) & (days <= hi)] = row.factor
    return cal, overnight, same_day


def _row_applies(cal: pd.DataFrame, segment: str, same_day: bool) -> np.ndarray:
    ok = []
    for kind, target in zip(cal["kind"], cal["applies_to"], strict=True):
        if kind == "weekday" and (target == "same_day") != same_day:
            ok.append(False)
        else:
            ok.append(_applies(target, segment, same_day))
    return np.array(ok, dtype=bool)


def follow_monthly_profile(weights: np.ndarray, first_day: dt.date, profile: np.ndarray) -> np.ndarray:
    """Rescale daily arrival weights so each calendar month's total is the published share of that month.

    Within a month the shape (weekdays, festivals) is kept; a month only partly inside the days gets the
    part of its share its days cover. So the month-to-month volume follows the published monthly profile
    (a fact, data/seed/published_stats.csv) while the calendar factors shape the days inside each month.
    """
    days = np.datetime64(first_day, "D") + np.arange(len(weights))
    months = days.astype("datetime64[M]")
    out = weights.astype(float).copy()
    for m in np.unique(months):
        hit = months == m
        total = out[hit].sum()
        if total <= 0:
            continue
        n_month = ((m + 1).astype("datetime64[D]") - m.astype("datetime64[D]")).astype(int)
        out[hit] *= profile[int(m.astype(int) % 12)] * hit.sum() / n_month / total
    return out


def arrival_weights(inputs: Inputs, first_day: dt.date, n_days: int, segment: str, same_day: bool) -> np.ndarray:
    """Relative arrival weight of each day for visitors of ``segment`` (same-day or overnight).

    month factor × weekday factor × festival factors. Weekday rows with ``applies_to = same_day``
    apply to same-day visitors only; other weekday rows to overnight visitors of matching segments.
    A festival lifts overnight arrivals from two days before it to its last day, same-day arrivals
    on its days.
    """
    cal, overnight, same = _calendar_rows(inputs, first_day, n_days)
    factors = same if same_day else overnight
    return factors[_row_applies(cal, segment, same_day)].prod(axis=0)


# --------------------------------------------------------------------------------------------------
# Scheduling and pings (shared by visitors and residents)
# --------------------------------------------------------------------------------------------------


@dataclass
class Stops:
    """Time-ordered stops of many devices: dev (local index), t0/t1 (seconds), position, kind."""

    dev: np.ndarray
    t0: np.ndarray
    t1: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    kind: np.ndarray  # 0 activity, 1 accommodation/home, 2 arrival gateway, 3 departure gateway

    @staticmethod
    def concat(parts: list[Stops]) -> Stops:
        """All stops of ``parts``, sorted by device then start."""
        s = Stops(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("dev", "t0", "t1", "lon", "lat", "kind")))
        order = np.lexsort((s.kind == 3, s.t0, s.dev))
        return Stops(*(getattr(s, f)[order] for f in ("dev", "t0", "t1", "lon", "lat", "kind")))


def _schedule(
    slot_lon: np.ndarray, slot_lat: np.ndarray, pref: np.ndarray, dwell: np.ndarray, close: np.ndarray,
    valid: np.ndarray, base_lon: np.ndarray, base_lat: np.ndarray, avail_from: np.ndarray, avail_to: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Put each day's slots in order of preferred start, add travel, drop what no longer fits.

    Arrays are (days, SLOTS). A slot starts at its preferred time or when the previous stop's end plus
    travel allows, whichever is later; it is dropped if it would start within 10 minutes of closing or
    end after the day's availability. Returns (kept, start, end, lon, lat), all in the new slot order.
    """
    order = np.argsort(np.where(valid, pref, np.inf), axis=1, kind="stable")

    def take(a: np.ndarray) -> np.ndarray:
        return np.take_along_axis(a, order, axis=1)

    slot_lon, slot_lat, pref, dwell, close, valid = map(take, (slot_lon, slot_lat, pref, dwell, close, valid))
    kept = np.zeros_like(valid)
    start = np.zeros(pref.shape)
    end = np.zeros(pref.shape)
    prev_lon, prev_lat, prev_end = base_lon.copy(), base_lat.copy(), avail_from.astype(float)
    for k in range(pref.shape[1]):
        s = np.maximum(pref[:, k], prev_end + _travel_s(prev_lon, prev_lat, slot_lon[:, k], slot_lat[:, k]))
        e = np.minimum(s + dwell[:, k], close[:, k])
        ok = valid[:, k] & (s < close[:, k] - MIN_VISIT_S) & (e <= avail_to) & (e - s >= MIN_VISIT_S)
        kept[:, k], start[:, k], end[:, k] = ok, s, e
        prev_lon = np.where(ok, slot_lon[:, k], prev_lon)
        prev_lat = np.where(ok, slot_lat[:, k], prev_lat)
        prev_end = np.where(ok, e, prev_end)
    return kept, start, end, slot_lon, slot_lat


def _with_bases(stops: Stops, base_lon: np.ndarray, base_lat: np.ndarray, has_base: np.ndarray) -> Stops:
    """Insert stays at the accommodation/home between stops on different days (and after arrival,
    before departure) for devices with a base; make stops of a device non-overlapping."""
    # non-overlapping: a stop starts no earlier than the previous stop of the device ended
    big = stops.dev.astype(np.float64) * 1e10
    prev_end = np.maximum.accumulate(np.concatenate([[-np.inf], (stops.t1 + big)[:-1]])) - big
    first = np.concatenate([[True], stops.dev[1:] != stops.dev[:-1]])
    t0 = np.where(first, stops.t0, np.maximum(stops.t0, prev_end))
    t1 = np.maximum(stops.t1, t0)
    stops = Stops(stops.dev, t0, t1, stops.lon, stops.lat, stops.kind)

    a = np.arange(len(stops.dev) - 1)
    b = a + 1
    same = stops.dev[a] == stops.dev[b]
    need = same & has_base[stops.dev[a]] & (
        (stops.kind[a] == 2) | (stops.kind[b] == 3) | (stops.t1[a] // DAY_S != stops.t0[b] // DAY_S)
    )
    a, b = a[need], b[need]
    d = stops.dev[a]
    bl, bt = base_lon[d], base_lat[d]
    s = stops.t1[a] + _travel_s(stops.lon[a], stops.lat[a], bl, bt)
    e = stops.t0[b] - _travel_s(bl, bt, stops.lon[b], stops.lat[b])
    ok = e - s >= MIN_BASE_STOP_S
    bases = Stops(d[ok], s[ok], e[ok], bl[ok], bt[ok], np.ones(ok.sum(), np.int8))
    return Stops.concat([stops, bases])


def _poisson_times(
    rng: np.random.Generator, t0: np.ndarray, t1: np.ndarray, rates: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Ping times of a Poisson process with hour-of-day ``rates`` (pings/hour) on each [t0, t1).

    Returns (interval index, time in seconds), drawn by inverting the cumulative rate function.
    """
    knots = np.concatenate([[0.0], np.cumsum(rates)])
    per_day = knots[-1]
    hours = np.arange(25, dtype=float)

    def cum(t: np.ndarray) -> np.ndarray:
        day, rem = np.divmod(t.astype(float), DAY_S)
        return day * per_day + np.interp(rem / 3600.0, hours, knots)

    c0, c1 = cum(t0), cum(t1)
    n = rng.poisson(np.maximum(c1 - c0, 0.0))
    idx = np.repeat(np.arange(len(t0)), n)
    u = c0[idx] + rng.random(len(idx)) * (c1 - c0)[idx]
    day, rem = np.divmod(u, per_day)
    t = day * DAY_S + np.interp(rem, knots, hours) * 3600.0
    return idx, np.floor(t).astype(np.int64)


def _scatter(rng: np.random.Generator, lon: np.ndarray, lat: np.ndarray, sigma_m: float) -> tuple[np.ndarray, np.ndarray]:
    lon, lat = _offset(rng, lon, lat, sigma_m)
    out = rng.random(len(lon)) < OUTLIER_SHARE
    k = int(out.sum())
    if k:
        r = rng.uniform(*OUTLIER_RANGE_M, k)
        ang = rng.uniform(0, 2 * np.pi, k)
        lat = lat.copy()
        lon = lon.copy()
        lat[out] += r * np.sin(ang) / METRES_PER_DEGREE
        lon[out] += r * np.cos(ang) / (METRES_PER_DEGREE * np.cos(np.radians(lat[out])))
    return lon, lat


def _pings(rng: np.random.Generator, world: World, stops: Stops) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pings of stops (stationary cadence) and of the moves between them (moving cadence)."""
    i, t_stop = _poisson_times(rng, stops.t0, stops.t1, world.stationary_rate)
    lon_s, lat_s = _scatter(rng, stops.lon[i], stops.lat[i], STOP_JITTER_M)
    dev_s = stops.dev[i]

    a = np.flatnonzero(stops.dev[:-1] == stops.dev[1:])
    b = a + 1
    j, t_move = _poisson_times(rng, stops.t1[a], stops.t0[b], world.moving_rate)
    aj, bj = a[j], b[j]
    span = np.maximum(stops.t0[bj] - stops.t1[aj], 1)
    f = np.clip((t_move - stops.t1[aj]) / span, 0.0, 1.0)
    lon_m, lat_m = _scatter(
        rng, stops.lon[aj] + f * (stops.lon[bj] - stops.lon[aj]), stops.lat[aj] + f * (stops.lat[bj] - stops.lat[aj]),
        MOVE_JITTER_M,
    )
    return (
        np.concatenate([dev_s, stops.dev[aj]]),
        np.concatenate([t_stop, t_move]),
        np.concatenate([lon_s, lon_m]),
        np.concatenate([lat_s, lat_m]),
    )


def _binomial_count(rng: np.random.Generator, mean: float, n: int, *, at_least_one: bool) -> np.ndarray:
    """Slots filled per day, 0..SLOTS, with the given mean (1 + binomial if at_least_one)."""
    if at_least_one:
        p = min(max((mean - 1) / (SLOTS - 1), 0.0), 1.0)
        return 1 + rng.binomial(SLOTS - 1, p, n)
    return rng.binomial(SLOTS, min(max(mean / SLOTS, 0.0), 1.0), n)


def _fill_slots(
    rng: np.random.Generator, world: World, day0: np.ndarray, n_act: np.ndarray, trip: np.ndarray,
    *, residents: bool, events: _EventEffects | None = None,
) -> tuple[np.ndarray, ...]:
    """Draw the places, preferred starts, dwell and closing time of each day's slots.

    On an event's days (``events``), a share of the days that are not day trips put the event's venue in
    their first slot at the event's hours (``_event_slots``).
    """
    n = len(day0)
    cum = world.visit_cum_res if residents else world.visit_cum
    place = world.visit_idx[_draw(rng, cum, n * SLOTS)].reshape(n, SLOTS)
    trip_zone = np.full(n, -1)
    if world.trip_pools and trip.any():
        rows = np.flatnonzero(trip)
        trip_zone[rows] = _draw(rng, world.trip_cum_res if residents else world.trip_cum, len(rows))
        for z, (pool, pcum) in enumerate(world.trip_pools):
            r = np.flatnonzero(trip_zone == z)
            place[r] = pool[_draw(rng, pcum, len(r) * SLOTS)].reshape(len(r), SLOTS)
    hit, ev_rng, ev_hour, ev_venue, ev_dwell = _event_slots(rng, events, day0, trip_zone, residents=residents)
    if len(hit):
        place[hit, 0] = ev_venue
        n_act = n_act.copy()
        n_act[hit] = np.maximum(n_act[hit], 1)
    valid = np.arange(SLOTS)[None, :] < n_act[:, None]
    for k in range(1, SLOTS):  # no place twice on one day
        for j in range(k):
            valid[:, k] &= place[:, k] != place[:, j]
    hour = _draw_rows(rng, world.hour_cum[place.ravel()]).reshape(n, SLOTS)
    pref = day0[:, None] + hour * 3600 + rng.integers(0, 3600, (n, SLOTS))
    pref = np.where(trip_zone[:, None] >= 0, 0, pref)  # day trips: one stop after the other
    dwell = rng.gamma(4.0, world.dwell_s[place] / 4.0)
    oh, ch = world.open_h[place], world.close_h[place]
    close_rel = np.where(np.isnan(ch), np.inf, np.where(ch > oh, ch, ch + 24) * 3600.0)
    close = day0[:, None] + close_rel
    if len(hit):
        pref[hit, 0] = day0[hit] + ev_hour * 3600 + ev_rng.integers(0, 3600, len(hit))
        dwell[hit, 0] = ev_rng.gamma(4.0, ev_dwell / 4.0)
    return place, pref.astype(float), dwell, close, valid, trip_zone


@dataclass(frozen=True)
class _EventEffects:
    """Where and when events gather crowds: per simulation day the effect row (-1 none), per row the venues
    (place rows), shares of visitor- and resident-days, hours [from, to], mean minutes on site and the chance
    that a same-day visitor arriving on the event's days stays the night."""

    day_effect: np.ndarray
    venues: tuple[np.ndarray, ...]
    visitor_share: np.ndarray
    resident_share: np.ndarray
    hour_from: np.ndarray
    hour_to: np.ndarray
    dwell_s: np.ndarray
    stay_over: np.ndarray = dataclass_field(default_factory=lambda: np.zeros(0))

    def stay_over_on(self, day: np.ndarray) -> np.ndarray:
        """The stay-over chance of arrivals on simulation days ``day`` (0 outside events)."""
        if not len(self.stay_over):
            return np.zeros(len(day))
        inside = (day >= 0) & (day < len(self.day_effect))
        eff = np.where(inside, self.day_effect[np.clip(day, 0, len(self.day_effect) - 1)], -1)
        return np.where(eff >= 0, self.stay_over[np.maximum(eff, 0)], 0.0)


def _event_effects(inputs: Inputs, world: World, first_day: dt.date, n_days: int) -> _EventEffects | None:
    """The festivals of the calendar (rows applying to everyone) matched by name prefix to ``event_effects.csv``."""
    eff = inputs.events
    if eff.empty:
        return None
    row_of = {pid: i for i, pid in enumerate(world.place_ids)}
    # venues missing from the places table (an official's own places) are skipped; an event with none left
    # lifts arrivals only
    venues = tuple(np.array([row_of[p.strip()] for p in str(row.places).split("|") if p.strip() in row_of], np.int64)
                   for row in eff.itertuples(index=False))
    day_effect = np.full(n_days, -1, np.int64)
    cal = inputs.calendar
    festivals = cal[(cal["kind"] == "festival") & (cal["applies_to"] == "all")]
    for f in festivals.itertuples(index=False):
        for e, prefix in enumerate(eff["event"]):
            if len(venues[e]) and str(f.name).startswith(str(prefix)):
                lo = (f.date_from.date() - first_day).days
                hi = (f.date_to.date() - first_day).days
                day_effect[max(lo, 0):max(min(hi + 1, n_days), 0)] = e
                break
    return _EventEffects(day_effect, venues, eff["visitor_share"].to_numpy(float),
                         eff["resident_share"].to_numpy(float), eff["hour_from"].to_numpy(np.int64),
                         eff["hour_to"].to_numpy(np.int64), eff["dwell_minutes"].to_numpy(float) * 60.0,
                         (eff[STAY_OVER_COLUMN] if STAY_OVER_COLUMN in eff else pd.Series(0.0, index=eff.index))
                         .to_numpy(float))


def _event_slots(
    rng: np.random.Generator, events: _EventEffects | None, day0: np.ndarray, trip_zone: np.ndarray, *,
    residents: bool,
) -> tuple[np.ndarray, np.random.Generator | None, np.ndarray, np.ndarray, np.ndarray]:
    """Days (rows) that go to an event: (rows, a generator for their draws, start hour, venue row, mean dwell s).

    Draws come from a generator spawned from ``rng``'s seed sequence, so days outside events keep exactly the
    random stream they had without events.
    """
    none = np.zeros(0, np.int64)
    if events is None:
        return none, None, none, none, np.zeros(0)
    day = (day0 // DAY_S).astype(np.int64)
    inside = (day >= 0) & (day < len(events.day_effect))
    eff = np.where(inside, events.day_effect[np.clip(day, 0, len(events.day_effect) - 1)], -1)
    eff = np.where(trip_zone >= 0, -1, eff)
    rows = np.flatnonzero(eff >= 0)
    if not len(rows):
        return none, None, none, none, np.zeros(0)
    ev_rng = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])
    e = eff[rows]
    share = (events.resident_share if residents else events.visitor_share)[e]
    keep = ev_rng.random(len(rows)) < share
    rows, e = rows[keep], e[keep]
    hour = ev_rng.integers(events.hour_from[e], events.hour_to[e] + 1)
    venue = np.array([events.venues[k][ev_rng.integers(0, len(events.venues[k]))] for k in e], np.int64)
    return rows, ev_rng, hour, venue, events.dwell_s[e]


def _stay_over(rng: np.random.Generator, events: _EventEffects | None, arr_day: np.ndarray,
               same_day: np.ndarray) -> np.ndarray:
    """Same-day visitors who arrive on an event's day and stay the night instead (``stay_over`` chance).

    Draws come from a generator spawned from ``rng``'s seed sequence, so ``rng``'s own stream is unchanged.
    """
    if events is None or not len(events.stay_over) or not events.stay_over.any():
        return np.zeros(len(arr_day), bool)
    p = np.where(same_day, events.stay_over_on(arr_day), 0.0)
    if not p.any():
        return np.zeros(len(arr_day), bool)
    stay_rng = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])
    return stay_rng.random(len(arr_day)) < p


# --------------------------------------------------------------------------------------------------
# Visitors
# --------------------------------------------------------------------------------------------------


@dataclass
class _Population:
    """Per-chunk draws that do not depend on the chunk: arrival-date tables per segment group."""

    inputs: Inputs
    world: World
    first_day: dt.date      # day 0 of the simulation clock (start minus warm-up)
    warm_days: int
    window_days: int
    seg_names: list[str]
    share_cum: np.ndarray
    date_cum: dict[tuple[int, bool, bool], np.ndarray]
    weights: dict[tuple[int, bool], np.ndarray]   # arrival weight per day, by (segment, same-day)
    events: _EventEffects | None = None           # event venues and hours by simulation day


def _population(inputs: Inputs, world: World, start: dt.date, days: int) -> _Population:
    warm = int(inputs.rule("max_nights"))
    first_day = start - dt.timedelta(days=warm)
    total = warm + days
    markets = inputs.markets
    cal, overnight, same = _calendar_rows(inputs, first_day, total)
    date_cum: dict[tuple[int, bool, bool], np.ndarray] = {}
    weights: dict[tuple[int, bool], np.ndarray] = {}
    for s, seg in enumerate(markets["segment"]):
        for same_day in (False, True):
            w = (same if same_day else overnight)[_row_applies(cal, seg, same_day)].prod(axis=0)
            group = seg.split(":", 1)[0]
            if inputs.monthly and group in inputs.monthly:
                w = follow_monthly_profile(w, first_day, inputs.monthly[group])
            weights[(s, same_day)] = w
            date_cum[(s, same_day, True)] = _cum(w[:warm]) if warm else np.array([1.0])
            date_cum[(s, same_day, False)] = _cum(w[warm:])
    return _Population(inputs, world, first_day, warm, days, list(markets["segment"]),
                       _cum(markets["share"].to_numpy(float)), date_cum, weights,
                       _event_effects(inputs, world, first_day, total))


def _warm_visitors(pop: _Population, visitors: int) -> int:
    """Visitors arriving during the warm-up, in proportion to the calendar weights."""
    if pop.warm_days == 0:
        return 0
    markets = pop.inputs.markets
    warm = window = 0.0
    for s, (share, sd) in enumerate(zip(markets["share"], markets["same_day_share"], strict=True)):
        for same_day, p in ((False, 1 - sd), (True, sd)):
            w = pop.weights[(s, same_day)]
            warm += share * p * w[: pop.warm_days].sum()
            window += share * p * w[pop.warm_days:].sum()
    return round(visitors * warm / window)


def _visitor_stops(rng: np.random.Generator, pop: _Population, n: int, warm: np.ndarray) -> tuple[Stops, np.ndarray]:
    """Stops of ``n`` visitors (local device index 0..n-1); returns (stops, segment code per visitor)."""
    inp, world = pop.inputs, pop.world
    m = inp.markets
    seg = _draw(rng, pop.share_cum, n)
    same_day = rng.random(n) < m["same_day_share"].to_numpy(float)[seg]
    max_nights = int(inp.rule("max_nights"))
    nights_mean = m["nights_mean"].to_numpy(float)[seg]
    nights = np.where(same_day, 0, np.minimum(1 + rng.poisson(np.maximum(nights_mean - 1, 0)), max_nights))

    arr_day = np.zeros(n, np.int64)
    for (s, sd, w), cum in pop.date_cum.items():
        rows = np.flatnonzero((seg == s) & (same_day == sd) & (warm == w))
        if len(rows):
            arr_day[rows] = _draw(rng, cum, len(rows)) + (0 if w else pop.warm_days)
    stay = _stay_over(rng, pop.events, arr_day, same_day)
    same_day &= ~stay
    nights = np.where(stay, 1, nights)

    # arrival mode and gateway
    probs = m[list(MODES)].to_numpy(float)[seg]
    probs[same_day, 0:2] = 0.0  # same-day visitors come by bus or road
    for i, mode in enumerate(MODES[:3]):
        if mode not in world.gateways:
            probs[:, 3] += probs[:, i]
            probs[:, i] = 0.0
    probs[probs.sum(axis=1) == 0, 3] = 1.0
    probs = np.cumsum(probs, axis=1)
    mode = _draw_rows(rng, probs / probs[:, -1:])
    g_lon, g_lat = np.zeros(n), np.zeros(n)
    for i, name in enumerate(MODES[:3]):
        rows = np.flatnonzero(mode == i)
        if len(rows):
            gl, gt, gc = world.gateways[name]
            pick = _draw(rng, gc, len(rows))
            g_lon[rows], g_lat[rows] = gl[pick], gt[pick]
    rows = np.flatnonzero(mode == 3)
    entry = _draw(rng, world.road_cum, len(rows))
    fixed = np.array([world.road_for_segment.get(pop.seg_names[s], -1) for s in range(len(pop.seg_names))])
    entry = np.where(fixed[seg[rows]] >= 0, fixed[seg[rows]], entry)
    g_lon[rows], g_lat[rows] = world.road_lon[entry], world.road_lat[entry]

    # arrival and departure times
    arr_h, dep_h = np.zeros(n, np.int64), np.zeros(n, np.int64)
    arr_dwell, dep_dwell = np.zeros(n), np.zeros(n)
    for i, name in enumerate(MODES):
        for sd in (False, True):
            rows = np.flatnonzero((mode == i) & (same_day == sd))
            if not len(rows):
                continue
            key = "same_day" if sd else name
            arr_h[rows] = _draw(rng, _cum(inp.hours("arrive", key)), len(rows))
            dep_h[rows] = _draw(rng, _cum(inp.hours("depart", key)), len(rows))
            arr_dwell[rows] = inp.dwell_s("arrive", key)
            dep_dwell[rows] = inp.dwell_s("depart", key)
    arr_t = arr_day * DAY_S + arr_h * 3600 + rng.integers(0, 3600, n)
    dep_t = (arr_day + nights) * DAY_S + dep_h * 3600 + rng.integers(0, 3600, n)
    short = dep_t < arr_t + 3 * 3600
    dep_t = np.where(short, arr_t + 3 * 3600 + rng.integers(0, 4 * 3600, n), dep_t)

    # accommodation by price band matched to the segment
    spread = inp.rule("price_band_spread")
    pref = m["price_pref"].to_numpy(float)[seg]
    avail = np.array([len(rows) > 0 for rows, _ in world.acc_bands])
    band_w = np.exp(-spread * np.abs(np.arange(4)[None, :] - pref[:, None])) * avail[None, :]
    band = _draw_rows(rng, np.cumsum(band_w, axis=1) / band_w.sum(axis=1, keepdims=True))
    hotel = np.zeros(n, np.int64)
    for b, (rows_b, cum_b) in enumerate(world.acc_bands):
        rows = np.flatnonzero(band == b)
        if len(rows):
            hotel[rows] = rows_b[_draw(rng, cum_b, len(rows))]
    base_lon, base_lat = _offset(rng, world.lon[hotel], world.lat[hotel], STOP_OFFSET_M)
    base_lon = np.where(same_day, g_lon, base_lon)
    base_lat = np.where(same_day, g_lat, base_lat)

    # visitor-days
    n_days = nights + 1
    v = np.repeat(np.arange(n), n_days)
    k = np.arange(len(v)) - np.repeat(np.cumsum(n_days) - n_days, n_days)
    day = arr_day[v] + k
    day0 = (day * DAY_S).astype(float)
    first, last = k == 0, k == nights[v]
    sd_v = same_day[v]
    p_trip = inp.rule("day_trip_per_full_day")
    trip = (rng.random(len(v)) < p_trip) & (sd_v | (~first & ~last))
    nd = len(v)
    n_act = np.where(
        trip, _binomial_count(rng, inp.rule("activities_day_trip"), nd, at_least_one=True),
        np.where(sd_v, _binomial_count(rng, inp.rule("activities_same_day"), nd, at_least_one=True),
                 np.where(first | last, _binomial_count(rng, inp.rule("activities_edge_day"), nd, at_least_one=False),
                          _binomial_count(rng, inp.rule("activities_full_day"), nd, at_least_one=True))))
    avail_from = day0 + 6 * 3600
    avail_to = day0 + 23.5 * 3600
    arr_end = arr_t + arr_dwell
    dep_start = dep_t - dep_dwell
    to_base = _travel_s(g_lon, g_lat, base_lon, base_lat)
    avail_from = np.where(first, np.maximum(avail_from, arr_end[v] + np.where(sd_v, 0, to_base[v] + 2700)), avail_from)
    avail_to = np.where(last, np.minimum(avail_to, dep_start[v] - to_base[v] - np.where(sd_v, 1200, 1800)), avail_to)

    place, pref_t, dwell, close, valid, trip_zone = _fill_slots(rng, world, day0, n_act, trip, residents=False,
                                                                  events=pop.events)
    if world.trip_pools:
        rows = np.flatnonzero(trip_zone >= 0)
        leave = _draw_rows(rng, world.trip_leave_cum[trip_zone[rows]])
        avail_from[rows] = np.maximum(avail_from[rows], day0[rows] + leave * 3600 + rng.integers(0, 3600, len(rows)))
    s_lon, s_lat = _offset(rng, world.lon[place].ravel(), world.lat[place].ravel(), STOP_OFFSET_M)
    kept, start, end, s_lon, s_lat = _schedule(
        s_lon.reshape(place.shape), s_lat.reshape(place.shape), pref_t, dwell, close, valid,
        base_lon[v], base_lat[v], avail_from, avail_to,
    )
    r, c = np.nonzero(kept)
    acts = Stops(v[r], start[r, c].astype(np.int64), end[r, c].astype(np.int64), s_lon[r, c], s_lat[r, c],
                 np.zeros(len(r), np.int8))
    idx = np.arange(n)
    arrive = Stops(idx, arr_t, arr_end.astype(np.int64), g_lon, g_lat, np.full(n, 2, np.int8))
    depart = Stops(idx, dep_start.astype(np.int64), dep_t, g_lon, g_lat, np.full(n, 3, np.int8))
    stops = Stops.concat([arrive, acts, depart])
    return _with_bases(stops, base_lon, base_lat, ~same_day), seg


# --------------------------------------------------------------------------------------------------
# Residents
# --------------------------------------------------------------------------------------------------


def _resident_stops(rng: np.random.Generator, pop: _Population, n: int) -> Stops:
    """Stops of ``n`` resident devices over the whole window (local device index 0..n-1)."""
    inp, world = pop.inputs, pop.world
    hl, ht, hc = world.homes
    pick = _draw(rng, hc, n)
    home_lon, home_lat = _offset(rng, hl[pick], ht[pick], 150.0)
    wl, wt, wc = world.works
    pick = _draw(rng, wc, n)
    work_lon, work_lat = _offset(rng, wl[pick], wt[pick], 150.0)
    worker = rng.random(n) < float(inp.profiles.query("kind == 'resident' and category == 'work'")["weight"].iloc[0])

    n_days = pop.window_days
    v = np.repeat(np.arange(n), n_days)
    day = pop.warm_days + np.tile(np.arange(n_days), n)
    day0 = (day * DAY_S).astype(float)
    weekday = (np.datetime64(pop.first_day, "D") + day.astype("timedelta64[D]")).astype("datetime64[D]")
    weekday = ((weekday.astype(np.int64) - 4) % 7)  # 1970-01-01 was a Thursday: 0 = Monday
    weekend = weekday >= 5
    workday = worker[v] & ~weekend
    nd = len(v)
    trip = weekend & (rng.random(nd) < inp.rule("resident_day_trip_weekend"))
    p_out = np.where(weekend, inp.rule("resident_outing_weekend"), inp.rule("resident_outing_weekday"))
    outings = (rng.random(nd) < p_out).astype(int) + (rng.random(nd) < p_out / 3).astype(int)
    n_act = np.where(trip, 2, outings + workday)
    place, pref, dwell, close, valid, trip_zone = _fill_slots(rng, world, day0, n_act, trip, residents=True,
                                                                  events=pop.events)
    s_lon, s_lat = _offset(rng, world.lon[place].ravel(), world.lat[place].ravel(), STOP_OFFSET_M)
    s_lon, s_lat = s_lon.reshape(place.shape), s_lat.reshape(place.shape)
    # the last filled slot of a workday is the job (leaves home at the profile's hour)
    w_rows = np.flatnonzero(workday & ~trip)
    w_col = n_act[w_rows] - 1
    leave = _draw(rng, _cum(inp.hours("resident", "work")), len(w_rows))
    s_lon[w_rows, w_col], s_lat[w_rows, w_col] = work_lon[v[w_rows]], work_lat[v[w_rows]]
    pref[w_rows, w_col] = day0[w_rows] + leave * 3600 + rng.integers(0, 3600, len(w_rows)) + 1200
    dwell[w_rows, w_col] = rng.gamma(16.0, inp.dwell_s("resident", "work") / 16.0, len(w_rows))
    close[w_rows, w_col] = np.inf
    valid[w_rows, w_col] = True
    avail_from = day0 + 5 * 3600
    if world.trip_pools and len(np.flatnonzero(trip_zone >= 0)):
        rows = np.flatnonzero(trip_zone >= 0)
        lv = _draw_rows(rng, world.trip_leave_cum[trip_zone[rows]])
        avail_from[rows] = day0[rows] + lv * 3600 + rng.integers(0, 3600, len(rows))
    kept, start, end, s_lon, s_lat = _schedule(
        s_lon, s_lat, pref, dwell, close, valid, home_lon[v], home_lat[v], avail_from, day0 + 23.5 * 3600,
    )
    r, c = np.nonzero(kept)
    acts = Stops(v[r], start[r, c].astype(np.int64), end[r, c].astype(np.int64), s_lon[r, c], s_lat[r, c],
                 np.zeros(len(r), np.int8))
    idx = np.arange(n)
    w0 = pop.warm_days * DAY_S - DAY_S // 2
    w1 = (pop.warm_days + pop.window_days) * DAY_S + DAY_S // 2
    begin = Stops(idx, np.full(n, w0), np.full(n, w0 + 1), home_lon, home_lat, np.full(n, 2, np.int8))
    finish = Stops(idx, np.full(n, w1 - 1), np.full(n, w1), home_lon, home_lat, np.full(n, 3, np.int8))
    return _with_bases(Stops.concat([begin, acts, finish]), home_lon, home_lat, np.ones(n, bool))


# --------------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------------


def _to_table(pop: _Population, device: np.ndarray, t: np.ndarray, lon: np.ndarray, lat: np.ndarray,
              seg_code: np.ndarray, seg_names: list[str]) -> pa.Table:
    origin = np.datetime64(pop.first_day, "us")
    ts = origin + (t * 1_000_000).astype("timedelta64[us]")
    return pa.table({
        "device": pa.array(device, pa.uint64()),
        "ts": pa.array(ts, pa.timestamp("us")),
        "lon": pa.array(lon, pa.float64()),
        "lat": pa.array(lat, pa.float64()),
        "segment": pa.DictionaryArray.from_arrays(pa.array(seg_code, pa.int16()), pa.array(seg_names, pa.string())),
    })


def _chunk_pings(
    rng: np.random.Generator, pop: _Population, *, visitors: int = 0, warm: np.ndarray | None = None,
    residents: int = 0,
) -> tuple[np.ndarray, ...]:
    """(local device, time, lon, lat, segment code) of one chunk, clipped to the window."""
    if visitors:
        stops, seg = _visitor_stops(rng, pop, visitors, warm if warm is not None else np.zeros(visitors, bool))
    else:
        stops, seg = _resident_stops(rng, pop, residents), np.full(residents, len(pop.seg_names))
    dev, t, lon, lat = _pings(rng, pop.world, stops)
    w0, w1 = pop.warm_days * DAY_S, (pop.warm_days + pop.window_days) * DAY_S
    inside = (t >= w0) & (t < w1)
    return dev[inside], t[inside], lon[inside], lat[inside], seg[dev[inside]]


def _pilot_yield(pop: _Population, seed: int) -> tuple[float, float]:
    """Pings per visitor and per resident device, measured on a small pilot run (not inserted)."""
    rng = np.random.default_rng([seed, 99])
    n_v = 2_000
    dev, *_ = _chunk_pings(rng, pop, visitors=n_v)
    per_visitor = len(dev) / n_v
    n_r = 4
    dev, *_ = _chunk_pings(rng, pop, residents=n_r)
    return per_visitor, len(dev) / n_r


def simulate_pings(
    con: duckdb.DuckDBPyConnection,
    *,
    seed: int,
    days: int = DEFAULT_DAYS,
    start: dt.date = DEFAULT_START,
    visitors: int | None = None,
    pings: int | None = None,
    progress: Progress | None = None,
    seed_dir: Path | None = None,
    partitions: int = 1,
) -> dict:
    """Create ``pings`` in ``con`` and fill it with SIMULATED telecom-style pings; returns a summary.

    Reads ``places`` and ``cells`` from ``con``. ``visitors`` is the number of visitors arriving in
    the window [start, start + days); ``pings`` asks for about that many pings in total instead
    (visitors are derived from a pilot run); with neither, ``DEFAULT_VISITORS_PER_YEAR`` scaled to
    ``days``. Visitors arriving up to ``max_nights`` days before ``start`` are simulated too (a
    warm-up, so the first days are not empty). Resident devices: ``residents_per_visitor`` × visitors.
    Generation runs in chunks of ``CHUNK_VISITORS`` visitors / ``CHUNK_RESIDENTS`` residents, each
    inserted through ``queries/build/insert_pings.sql``, so memory stays bounded at any size.
    ``progress(done, total)`` is called after each chunk (devices done, devices in all).
    ``partitions`` (a power of two, ``geo.build.pipeline.partition_count``): rows are held back per device
    partition and inserted a partition's ``FLUSH_ROWS`` at a time, so the table is stored clustered by
    partition and the pipeline's scan of one partition skips the others' row groups; the rows are the
    same whatever the count.

    The summary (seed, start, days, visitors, warm-up visitors, residents, pings, inputs) is what the
    build records in ``meta`` for dataset ``flows`` (simulated = true).
    """
    if visitors is not None and pings is not None:
        msg = "Give either visitors or pings, not both"
        raise ValueError(msg)
    if days < 1:
        msg = f"days must be at least 1, got {days}"
        raise ValueError(msg)
    for name, value in (("visitors", visitors), ("pings", pings)):
        if value is not None and value < 1:
            msg = f"{name} must be at least 1, got {value}"
            raise ValueError(msg)
    inputs = read_inputs(seed_dir)
    world = build_world(con, inputs)
    pop = _population(inputs, world, start, days)
    if pings is not None:
        per_visitor, per_resident = _pilot_yield(pop, seed)
        per_visitor_all = per_visitor + inputs.rule("residents_per_visitor") * per_resident
        visitors = max(1, round(pings / per_visitor_all))
    elif visitors is None:
        visitors = max(1, round(DEFAULT_VISITORS_PER_YEAR * days / 365))
    residents = max(2, round(visitors * inputs.rule("residents_per_visitor")))
    warm = _warm_visitors(pop, visitors)
    total_visitors = visitors + warm

    sql.execute(con, "schema/create_pings")
    sink = _PartitionedSink(con, partitions)
    seg_names = [*pop.seg_names, "resident"]
    total_devices = total_visitors + residents
    done = 0
    n_pings = 0
    # warm-up visitors first (device numbers 0..warm-1), then the window's visitors
    is_warm = np.arange(total_visitors) < warm
    for c, lo in enumerate(range(0, total_visitors, CHUNK_VISITORS)):
        hi = min(lo + CHUNK_VISITORS, total_visitors)
        rng = np.random.default_rng([seed, 1, c])
        dev, t, lon, lat, seg = _chunk_pings(rng, pop, visitors=hi - lo, warm=is_warm[lo:hi])
        n_pings += sink.add(_to_table(pop, device_ids(seed, dev + lo), t, lon, lat, seg, seg_names))
        done += hi - lo
        if progress:
            progress(done, total_devices)
    for c, lo in enumerate(range(0, residents, CHUNK_RESIDENTS)):
        hi = min(lo + CHUNK_RESIDENTS, residents)
        rng = np.random.default_rng([seed, 2, c])
        dev, t, lon, lat, seg = _chunk_pings(rng, pop, residents=hi - lo)
        device = device_ids(seed, dev + lo + (1 << 40))
        n_pings += sink.add(_to_table(pop, device, t, lon, lat, seg, seg_names))
        done += hi - lo
        if progress:
            progress(done, total_devices)
    sink.close()
    return {
        "simulated": True,
        "generator": "geo.build.simulate",
        "seed": seed,
        "start": start.isoformat(),
        "days": days,
        "visitors": visitors,
        "warmup_visitors": warm,
        "residents": residents,
        "pings": n_pings,
        "target_pings": pings,
        "inputs": [f"data/seed/{name}" for name in INPUT_FILES],
    }


#: Rows of one device partition held back before they are inserted together (partitioned simulation):
#: a few of DuckDB's 122,880-row groups, so nearly every row group holds one partition's devices.
FLUSH_ROWS = 1 << 19
#: Most rows held back over all partitions (~300 MB): past it the partition holding most is inserted,
#: so the simulator's memory does not grow with the partition count (64 partitions × FLUSH_ROWS would
#: hold 1.1 GB).
HELD_ROWS = 1 << 23


class _PartitionedSink:
    """Inserts chunks into ``pings``, one device partition's rows at a time (``partitions`` > 1)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, partitions: int) -> None:
        from geo.build.pipeline import partition_bounds

        partition_bounds(0, partitions)  # a power of two, or ValueError
        self.con = con
        self.partitions = partitions
        self.held: list[list[pa.Table]] = [[] for _ in range(partitions)]
        self.rows = np.zeros(partitions, np.int64)

    def add(self, table: pa.Table) -> int:
        """Take one chunk; returns its rows."""
        if self.partitions == 1:
            return _insert(self.con, table)
        from geo.build.pipeline import partition_of

        part = partition_of(table.column("device").to_numpy(), self.partitions)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange(self.partitions + 1))
        table = table.take(pa.array(order))
        for p in np.flatnonzero(np.diff(bounds)):
            self.held[p].append(table.slice(int(bounds[p]), int(bounds[p + 1] - bounds[p])))
            self.rows[p] += bounds[p + 1] - bounds[p]
            if self.rows[p] >= FLUSH_ROWS:
                self._flush(int(p))
        while self.rows.sum() > HELD_ROWS:
            self._flush(int(np.argmax(self.rows)))
        return table.num_rows

    def _flush(self, part: int) -> None:
        if self.held[part]:
            _insert(self.con, pa.concat_tables(self.held[part]).combine_chunks())
        self.held[part], self.rows[part] = [], 0

    def close(self) -> None:
        """Insert every row still held back."""
        for part in range(self.partitions):
            self._flush(part)


def _insert(con: duckdb.DuckDBPyConnection, table: pa.Table) -> int:
    con.register("pings_chunk", table)
    try:
        sql.execute(con, "build/insert_pings")
    finally:
        con.unregister("pings_chunk")
    return table.num_rows
