"""Answer accommodation questions: supply against overnight demand per zone, the pressure index, catchments.

Pressure index of a zone = (ESTIMATED overnight visitors present in the zone at 02:00, averaged over the
nights in the view: observed devices × expansion weights, ``est_people``) ÷ (the zone's beds, with the
supply side taken from published room totals: a district's own published rooms × persons per room where
``published_stats`` has them, else the registry's beds in the zone scaled by published province rooms ÷
the registry's rooms). The registry of places lists a few hundred accommodations; the province has tens of
thousands of rooms, so unscaled beds would understate supply as much as observed devices understate demand.
1.0 means every bed would be taken on an average night. The observed figures (devices ÷ listed beds) stay
beside it (``observed_pressure``). For the tourism zones demand comes from the
``zone_nightly`` rollup (``queries/rollups/31_zone_nightly.sql``) and supply from ``places.zone_id``,
unchanged since before zone levels existed. For any other zone level both are placed by H3 cell through
``cell_zones``: demand from ``cell_nightly`` (``35_cell_nightly.sql``), supply by the cell holding each
place, so a zone's beds and visitors cover the same cells (a hotel a few metres inside a boundary whose
cell centre lies outside it counts with the neighbour, as do its guests).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from geo import sql
from geo.i18n import N_
from geo.services._require import require_tables
from geo.services.filters import Filters
from geo.services.geography import check_zone_level
from geo.vocab import DEFAULT_ZONE_LEVEL, EARTH_RADIUS_M, PRICE_BANDS, pressure_class

if TYPE_CHECKING:  # placeinfo imports this module (bbox_around): the record is imported where it is built
    from geo.services.placeinfo import PlaceDetail

#: Catchment radius limits in metres.
MAX_RADIUS_M = 20_000


def bbox_around(lon: float, lat: float, radius_m: float) -> dict[str, float]:
    """An envelope (min/max lon/lat) that contains every point within ``radius_m`` of (lon, lat)."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    far_lat = min(abs(lat) + dlat, 89.9)
    dlon = min(math.degrees(radius_m / (EARTH_RADIUS_M * math.cos(math.radians(far_lat)))), 180.0)
    return {"min_lon": lon - dlon, "min_lat": lat - dlat, "max_lon": lon + dlon, "max_lat": lat + dlat}


#: A zone's registry is "thin" when its share of the registry's beds is below this fraction of its share of
#: the estimated overnight visitors (with at least ``THIN_MIN_DEMAND_SHARE`` of them).
THIN_COVERAGE = 0.5
THIN_MIN_DEMAND_SHARE = 0.01


@dataclass(frozen=True)
class PublishedSupply:
    """The published accommodation supply beside the registry of places.

    ``rooms`` published rooms in the province (None when not published), ``rooms_hotels`` the hotels' rooms
    (a lower bound, None when not published), ``persons_per_room`` (2 by the project's convention when not
    published), ``registry_*`` the accommodation places, rooms and beds the atlas lists, ``scale`` published
    rooms ÷ registry rooms (1.0 without a published total), ``district_rooms`` published rooms by district
    (area name → rooms), ``basis`` 'province' (scaled by the province total), 'listed' (no published total),
    ``source`` the source text of the rooms figure: a bibliographic citation, shown in its own language (a reader
    must find the publication under its own title; see ``geo.vocab.SOURCE_TEMPLATES``).
    """

    rooms: float | None
    rooms_hotels: float | None
    persons_per_room: float
    registry_places: int
    registry_rooms: int
    registry_beds: int
    scale: float
    district_rooms: dict[str, float]
    basis: str
    source: str

    @property
    def beds(self) -> float | None:
        """Published province beds (rooms × persons per room), None when no total is published."""
        return None if self.rooms is None else self.rooms * self.persons_per_room


def published_supply(con: duckdb.DuckDBPyConnection) -> PublishedSupply:
    """The published rooms (province, and districts where published) and the registry's totals."""
    present = set(sql.fetch_df(con, "app/table_names")["table_name"])
    if "published_stats" not in present:
        df = pd.DataFrame()
    else:
        df = sql.fetch_df(con, "app/published_supply")
    if df.empty:
        reg = sql.fetch_one(con, "app/registry_supply") or {}
        return PublishedSupply(None, None, 2.0, int(reg.get("registry_places") or 0), int(reg.get("registry_rooms") or 0),
                               int(reg.get("registry_beds") or 0), 1.0, {}, "listed", "")
    first = df.iloc[0]
    prov = df[df["area"] == "province"]
    rooms = None if prov.empty or pd.isna(prov["rooms"].iloc[0]) else float(prov["rooms"].iloc[0])
    hotels = None if prov.empty or pd.isna(prov["rooms_hotels"].iloc[0]) else float(prov["rooms_hotels"].iloc[0])
    ppr = 2.0 if prov.empty or pd.isna(prov["persons_per_room"].iloc[0]) else float(prov["persons_per_room"].iloc[0])
    districts = {str(a): float(r) for a, r in zip(df["area"], df["rooms"], strict=True)
                 if a not in (None, "province", "city") and pd.notna(r)}
    reg_rooms = int(first["registry_rooms"] or 0)
    scale = rooms / reg_rooms if rooms and reg_rooms else 1.0
    return PublishedSupply(
        rooms=rooms, rooms_hotels=hotels, persons_per_room=ppr,
        registry_places=int(first["registry_places"] or 0), registry_rooms=reg_rooms,
        registry_beds=int(first["registry_beds"] or 0), scale=scale, district_rooms=districts,
        basis="province" if rooms and reg_rooms else "listed",
        source="" if prov.empty or pd.isna(prov["rooms_source"].iloc[0]) else str(prov["rooms_source"].iloc[0]),
    )


def _with_estimates(df: pd.DataFrame, supply: PublishedSupply) -> pd.DataFrame:
    """Add supply_beds, supply_basis, pressure, peak_pressure and the registry's coverage to a zone frame."""
    df = df.copy()
    basis, beds = [], []
    for zone_id, name, listed in zip(df["zone_id"], df["name_en"], df["beds"], strict=True):
        own = supply.district_rooms.get(str(zone_id)) or supply.district_rooms.get(str(name))
        if own:
            basis.append("district")
            beds.append(own * supply.persons_per_room)
        else:
            basis.append(supply.basis)
            beds.append(float(listed) * supply.scale)
    df["supply_beds"] = beds
    df["supply_basis"] = basis
    est = pd.to_numeric(df["est_overnight_per_night"], errors="coerce").fillna(0.0)
    peak = pd.to_numeric(df["est_peak_overnight"], errors="coerce").fillna(0.0)
    supply_beds = df["supply_beds"].where(df["supply_beds"] > 0)
    df["pressure"] = est / supply_beds
    df["peak_pressure"] = peak / supply_beds
    total_beds, total_est = float(df["beds"].sum()), float(est.sum())
    df["registry_share"] = df["beds"] / total_beds if total_beds else 0.0
    df["demand_share"] = est / total_est if total_est else 0.0
    df["registry_coverage"] = (df["registry_share"] / df["demand_share"]).where(df["demand_share"] > 0)
    df["thin_registry"] = (df["demand_share"] >= THIN_MIN_DEMAND_SHARE) & (
        df["registry_coverage"].fillna(0.0) < THIN_COVERAGE) & (df["supply_basis"] != "district")
    return df


#: Name of the row that gathers accommodation and demand in cells of no zone of the level.
OUTSIDE_LABEL = N_("Outside every zone of this level")


def supply_demand(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per zone of ``filters.zone_level``: accommodations, rooms, beds, overnight visitors per night, pressure.

    Columns: zone_id, name_en, name_th, outside (bool), accommodations, rooms, beds (listed in the registry),
    estimated_places, nights, visitor_nights, overnight_per_night, peak_overnight (observed devices),
    est_overnight_per_night, est_peak_overnight (ESTIMATED persons), observed_pressure and
    observed_peak_pressure (devices ÷ listed beds), supply_beds (beds from published rooms, see the module
    docstring), supply_basis ('district' | 'province' | 'listed'), pressure and peak_pressure (estimated
    persons ÷ supply_beds; NaN without beds), registry_share, demand_share, registry_coverage,
    thin_registry (bool), pressure_class, pressure_label, colour.
    For a level other than the tourism zones the last row (``outside``, zone_id '') holds what lies in
    cells of no zone of the level, so the rows add up to the whole city (see the module docstring).
    Filters used: dates and weekdays (of the evening a night begins), segments and the zone level; hours
    do not apply. An unknown level raises ``FilterError`` naming the loaded ones.
    """
    p = filters.params()
    params = {k: p[k] for k in ("start", "end", "weekdays", "segments")}
    if filters.zone_level == DEFAULT_ZONE_LEVEL:
        require_tables(con, "zone_nightly")
        df = sql.fetch_df(con, "app/capacity_supply_demand", {**params, "zone_level": DEFAULT_ZONE_LEVEL})
        df.insert(3, "outside", False)
    else:
        require_tables(con, "cell_nightly")
        level = check_zone_level(con, filters.zone_level)
        df = sql.fetch_df(con, "app/capacity_level_supply_demand", {**params, "level": level})
        df["outside"] = df["outside"].astype(bool)
        df.loc[df["outside"], "name_en"] = OUTSIDE_LABEL
        df.loc[df["outside"], "name_th"] = ""
    df["observed_pressure"] = pd.to_numeric(df["observed_pressure"], errors="coerce")
    df["observed_peak_pressure"] = pd.to_numeric(df["observed_peak_pressure"], errors="coerce")
    return with_pressure_classes(_with_estimates(df, published_supply(con)))


def with_pressure_classes(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with pressure_class, pressure_label and colour from its ``pressure`` column (``vocab.pressure_class``;
    shared by the officials' and the public supply and demand)."""
    classes = [pressure_class(v) for v in df["pressure"]]
    df["pressure_class"] = [c[0] for c in classes]
    df["pressure_label"] = [c[1] for c in classes]
    df["colour"] = [c[2] for c in classes]
    return df


@dataclass(frozen=True, eq=False)
class Catchment:
    """Accommodation within a radius of one place, nearest first, with totals and a price-band breakdown.

    ``place`` is the place (``placeinfo.PlaceDetail``) or None when the id is unknown (then the frames are empty and the counts 0). ``radius_m`` is the radius actually
    used (clamped to 0..``MAX_RADIUS_M``). ``accommodation`` has place_id, category, name_en, name_th, lon,
    lat, zone_id, rooms, beds, price_band, estimated, distance_m (metres); ``by_price_band`` has price_band
    (``unknown`` for none), places, rooms, beds. ``places``/``rooms``/``beds`` are the catchment's totals.
    Compared by identity (``eq=False``): its DataFrames have no single truth value.
    """

    place: PlaceDetail | None
    radius_m: float
    accommodation: pd.DataFrame
    by_price_band: pd.DataFrame
    places: int
    rooms: int
    beds: int


def catchment(con: duckdb.DuckDBPyConnection, place_id: str, radius_m: float) -> Catchment:
    """Accommodation within ``radius_m`` metres (great-circle) of place ``place_id`` (see ``Catchment``)."""
    radius_m = float(max(0.0, min(radius_m, MAX_RADIUS_M)))
    from geo.services.placeinfo import place_detail

    place = place_detail(con, place_id)
    columns = ["place_id", "category", "name_en", "name_th", "lon", "lat", "zone_id", "rooms", "beds",
               "price_band", "estimated", "distance_m"]
    if place is None:
        acc = pd.DataFrame(columns=columns)
    else:
        box = bbox_around(place.lon, place.lat, radius_m)
        acc = sql.fetch_df(con, "app/capacity_catchment",
                           {"place_id": place_id, "radius_m": radius_m, "earth_radius_m": EARTH_RADIUS_M, **box})
    bands = acc.assign(price_band=acc["price_band"].fillna("unknown"))
    by_band = (
        bands.groupby("price_band", dropna=False)
        .agg(places=("place_id", "count"), rooms=("rooms", "sum"), beds=("beds", "sum"))
        .reindex([b for b in (*PRICE_BANDS, "unknown") if b in set(bands["price_band"])])
        .reset_index()
    )
    return Catchment(
        place=place,
        radius_m=radius_m,
        accommodation=acc,
        by_price_band=by_band,
        places=len(acc),
        rooms=int(pd.to_numeric(acc["rooms"]).fillna(0).sum()),
        beds=int(pd.to_numeric(acc["beds"]).fillna(0).sum()),
    )
