"""Answer accommodation questions: supply against overnight demand per zone, the pressure index, catchments.

Pressure index of a zone = (overnight visitors present in the zone at 02:00, averaged over the nights in
the view) ÷ (bed capacity of the zone's accommodation: the ``capacity`` column, else rooms × 2).
1.0 means every bed would be taken on an average night. For the tourism zones demand comes from the
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


#: Name of the row that gathers accommodation and demand in cells of no zone of the level.
OUTSIDE_LABEL = "Outside every zone of this level"


def supply_demand(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per zone of ``filters.zone_level``: accommodations, rooms, beds, overnight visitors per night, pressure.

    Columns: zone_id, name_en, name_th, outside (bool), accommodations, rooms, beds, estimated_places,
    nights, visitor_nights, overnight_per_night (persons), peak_overnight (persons), pressure,
    peak_pressure (ratios; NaN when the zone has no beds), pressure_class, pressure_label, colour.
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
    df["pressure"] = pd.to_numeric(df["pressure"], errors="coerce")
    df["peak_pressure"] = pd.to_numeric(df["peak_pressure"], errors="coerce")
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
