"""Answer "what is in this shape": people present by hour, the visitor mix, and the places and beds of a drawn area.

An area is one polygon in WGS84 (lon, lat), drawn on a map (Leaflet.draw) or read back from a link. Python
checks it first (``check_area``: one outline, edges not crossing, inside the province's box, at most
``MAX_VERTICES`` points and ``MAX_AREA_KM2``) and rounds it to ``COORD_DECIMALS`` decimals (≈1 m), the
precision a link keeps, so a drawing and its link give the same figures. Every query binds the polygon as
``$area_wkt`` (``queries/app/area_summary_*.sql``); it is never written into SQL text.

What counts as inside:

* **Visitor figures** sum the H3 cells (resolution 8, ≈0.7 km²) whose *centre* lies inside the polygon,
  under the density map's selection (months of the season, weekdays, hours or the playback hour, origin
  segment groups): an area's figures are exactly the sum of those cells on the density map.
* **Places, rooms and beds** count the places whose own point lies inside the polygon.

The headline measure is **people-hours** (unique devices per cell and hour, summed over the area's cells and
the selected hours) and **people present** (people-hours per selected hour slot: days with data × hours).
People-days ("visitors" on the Overview) need to follow each person across cells, which the cell profile and
the presence cube do not carry; people-hours add up over any set of cells, so a drawn area can be measured
from the same tables as the map. The origin and visitor-type mix are shares of those people-hours.

Public mode (``floor`` > 0): people present by hour and people-hours sum only cell-profile rows with at least
``floor`` distinct devices, the very units the public density map and its drill-down sum, so an area's figure
is a sum of figures the public map already shows (cell by cell, hour by hour) and drawing shapes reveals
nothing the map does not. The origin and visitor-type mix come from the finer presence cube (segment × visitor
type), which the public view does not publish at any grain: they are withheld (``mix_withheld``) rather than
floored at a new, unreviewed grain. Places and beds are public facts (the Atlas map shows them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import Polygon

from geo import sql
from geo.errors import FilterError
from geo.i18n import N_, _
from geo.services._require import require_tables
from geo.services.filters import Filters
from geo.services.presence import season_months
from geo.settings import PROVINCE_BBOX
from geo.vocab import CATEGORY_LABELS, VISITOR_TYPE_LABELS, VISITOR_TYPES, origin_label

#: Most corners a drawn area may have (a hand-drawn shape has tens; a link holds ~20 characters per corner).
MAX_VERTICES = 500
#: Largest drawn area in km² (the province is ≈20,000 km²; a tourism zone a few to a few hundred).
MAX_AREA_KM2 = 5_000.0
#: Decimals kept of each coordinate (1e-5° ≈ 1.1 m): the precision of a link.
COORD_DECIMALS = 5
#: Longest WKT text accepted before parsing (every corner fits in well under 60 characters).
MAX_WKT_CHARS = MAX_VERTICES * 60
#: Origins shown before the rest is summed as "Other markets".
TOP_ORIGINS = 8

_GEOD = Geod(ellps="WGS84")
_HOUR_TABLES = ("presence_days", "presence_cell_profile")

#: How the pages word what an area counts (shown under the summary).
AREA_RULE = N_(
    "Visitor figures count the H3 cells (≈0.7 km² each) whose centre lies inside the shape, under the map's "
    "months, weekdays, hours and origin segments; places, rooms and beds count the places inside the shape."
)
PEOPLE_HOURS_DEFINITION = N_(
    "People-hours = unique devices per H3 cell and hour, summed over the area's cells and the selected hours on "
    "the days with data. People present = people-hours per selected hour and day: how many people are in the "
    "area at an average selected hour."
)

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class CheckedArea:
    """A drawn area that passed ``check_area``: its ring of (lon, lat) corners (not closed), WKT and size."""

    ring: Ring
    wkt: str
    area_km2: float


def ring_wkt(ring: Ring) -> str:
    """WKT of the polygon whose outline is ``ring`` ((lon, lat) corners, closing corner optional)."""
    pts = list(ring)
    if pts and pts[0] != pts[-1]:
        pts.append(pts[0])
    return "POLYGON((" + ", ".join(f"{lon:.{COORD_DECIMALS}f} {lat:.{COORD_DECIMALS}f}" for lon, lat in pts) + "))"


def _rounded_ring(coords: list[tuple[float, ...]]) -> list[tuple[float, float]]:
    """Corners rounded to ``COORD_DECIMALS``, consecutive repeats and the closing corner dropped."""
    out: list[tuple[float, float]] = []
    for c in coords:
        pt = (round(float(c[0]), COORD_DECIMALS) + 0.0, round(float(c[1]), COORD_DECIMALS) + 0.0)
        if not out or pt != out[-1]:
            out.append(pt)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def area_km2(polygon: Polygon) -> float:
    """Geodesic area of a WGS84 polygon in km² (WGS84 ellipsoid)."""
    area, _perimeter = _GEOD.geometry_area_perimeter(polygon)
    return abs(area) / 1e6


def check_area(area: str | Ring) -> CheckedArea:
    """Validate a drawn area given as WKT or as a ring of (lon, lat) corners; ``FilterError`` says what to fix.

    The area must be one polygon without holes whose edges do not cross, with 3 to ``MAX_VERTICES`` corners,
    inside the province's box (``PROVINCE_BBOX``) and at most ``MAX_AREA_KM2``. Coordinates are rounded to
    ``COORD_DECIMALS`` decimals first, so the checked area is exactly what a link reproduces.
    """
    if isinstance(area, str):
        if len(area) > MAX_WKT_CHARS:
            msg = _("The area has too many corners: draw it with at most {n} points.").format(n=MAX_VERTICES)
            raise FilterError(msg)
        try:
            geom = shapely.from_wkt(area)
        except (shapely.errors.ShapelyError, ValueError, TypeError):
            msg = _("The area is not a readable polygon: draw it again with the rectangle or polygon tool.")
            raise FilterError(msg) from None
        if geom is None or geom.geom_type != "Polygon" or geom.is_empty:
            msg = _("The area must be one polygon: draw a single rectangle or polygon.")
            raise FilterError(msg)
        if len(geom.interiors):
            msg = _("The area must be one outline without holes: draw it again without holes.")
            raise FilterError(msg)
        coords = list(geom.exterior.coords)
    else:
        try:
            coords = [(float(lon), float(lat)) for lon, lat in area]
        except (TypeError, ValueError):
            msg = _("The area must be a list of (longitude, latitude) corners.")
            raise FilterError(msg) from None
    if not all(math.isfinite(v) for c in coords for v in c[:2]):
        msg = _("The area has a corner without finite coordinates: draw it again.")
        raise FilterError(msg)
    ring = _rounded_ring(coords)
    if len(ring) > MAX_VERTICES:
        msg = _("The area has {corners} corners: draw it with at most {n} points.").format(corners=f"{len(ring):,}",
                                                                                           n=MAX_VERTICES)
        raise FilterError(msg)
    if len(ring) < 3:
        msg = _("The area needs at least three distinct corners: draw a larger shape.")
        raise FilterError(msg)
    min_lon, min_lat, max_lon, max_lat = PROVINCE_BBOX
    if not all(min_lon <= lon <= max_lon and min_lat <= lat <= max_lat for lon, lat in ring):
        msg = _("The area reaches outside the province (longitude {west}–{east}, latitude {south}–{north}): draw it "
                "inside the map's province.").format(west=min_lon, east=max_lon, south=min_lat, north=max_lat)
        raise FilterError(msg)
    polygon = Polygon(ring)
    if polygon.convex_hull.area <= 0:  # corners on one line (also invalid, but "crossing" would mislead)
        msg = _("The area is empty: draw a shape with some surface.")
        raise FilterError(msg)
    if not polygon.is_valid:
        msg = _("The area's edges cross each other: draw an outline that does not cross itself.")
        raise FilterError(msg)
    km2 = area_km2(polygon)
    if km2 > MAX_AREA_KM2:
        msg = _("The area covers {km2} km²: draw one of at most {max_km2} km².").format(
            km2=f"{km2:,.0f}", max_km2=f"{MAX_AREA_KM2:,.0f}")
        raise FilterError(msg)
    ring_t = tuple(ring)
    return CheckedArea(ring=ring_t, wkt=ring_wkt(ring_t), area_km2=km2)


def ring_from_geojson(shape: object) -> Ring:
    """The outline of a GeoJSON Polygon (a geometry or a Feature holding one) as (lon, lat) corners.

    What a map reports for a drawn shape (streamlit-folium's ``all_drawings`` items) is browser data: anything
    but a Polygon with numeric corners raises ``FilterError``. The result still goes through ``check_area``.
    """
    geometry = shape.get("geometry") if isinstance(shape, dict) and shape.get("type") == "Feature" else shape
    if not isinstance(geometry, dict) or geometry.get("type") != "Polygon":
        msg = _("Only rectangles and polygons can be used as an area: draw one with those tools.")
        raise FilterError(msg)
    rings = geometry.get("coordinates")
    if not isinstance(rings, list) or len(rings) != 1 or not isinstance(rings[0], list):
        msg = _("The area must be one outline without holes: draw it again.")
        raise FilterError(msg)
    if len(rings[0]) > MAX_VERTICES + 1:
        msg = _("The area has too many corners: draw it with at most {n} points.").format(n=MAX_VERTICES)
        raise FilterError(msg)
    corners: list[tuple[float, float]] = []
    for point in rings[0]:
        if (not isinstance(point, list | tuple) or len(point) < 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in point[:2])):
            msg = _("The area has a corner without numeric coordinates: draw it again.")
            raise FilterError(msg)
        corners.append((float(point[0]), float(point[1])))
    return tuple(corners)


@dataclass(frozen=True, eq=False)
class AreaSummary:
    """The figures of a drawn area for a selection (see the module docstring for what counts as inside).

    ``area``: the checked area (ring, WKT, km²). ``cells``: H3 cells whose centre is inside; ``zones``: the zone ids
    of those cells. ``hours``: people present by hour of day (hour, visitor_hours, present), every hour with data
    (the chart marks the selected ones); ``hour_from``/``hour_to`` the selected hours; ``days_with_data`` the days
    averaged over. ``people_hours`` and ``present`` (people present per selected hour, average) cover the selected
    hours; ``peak_hour``/``peak_present`` the busiest hour of day. ``mix_withheld`` is True in public mode: then
    ``overnight_share`` is None and ``visitor_types``/``origins`` are empty; otherwise ``visitor_types`` has
    visitor_type, label, people_hours, share and ``origins`` has origin, segment_group, people_hours, share (the
    largest ``TOP_ORIGINS`` and "Other markets"). ``places``: every place inside (place_id, layer, category,
    category_label, name_en, name_th, lon, lat, zone_id, rooms, beds, price_band, estimated); ``by_category``:
    category, label, places, rooms, beds; ``accommodations``/``rooms``/``beds`` their accommodation totals.
    Compared by identity (``eq=False``): its DataFrames have no single truth value.
    """

    area: CheckedArea
    cells: int
    zones: tuple[str, ...]
    hours: pd.DataFrame
    hour_from: int
    hour_to: int
    days_with_data: int
    people_hours: int
    present: float
    peak_hour: int | None
    peak_present: float | None
    mix_withheld: bool
    overnight_share: float | None
    visitor_types: pd.DataFrame
    origins: pd.DataFrame
    places: pd.DataFrame
    by_category: pd.DataFrame
    accommodations: int
    rooms: int
    beds: int


def _selection(filters: Filters, season: str, hour: int | None) -> tuple[list[int], int, int]:
    if hour is not None and not 0 <= hour <= 23:
        msg = _("Hour of day must be 0..23, got {hour}.").format(hour=hour)
        raise FilterError(msg)
    lo, hi = (hour, hour) if hour is not None else filters.hours
    return list(season_months(season, filters)), int(lo), int(hi)


def _visitor_types(mix: pd.DataFrame, total: int) -> pd.DataFrame:
    by_type = mix.groupby("visitor_type")["visitor_hours"].sum()
    order = [t for t in VISITOR_TYPES if t in by_type.index] + [t for t in by_type.index if t not in VISITOR_TYPES]
    rows = [{"visitor_type": t, "label": VISITOR_TYPE_LABELS.get(t, str(t)), "people_hours": int(by_type[t]),
             "share": int(by_type[t]) / total if total else 0.0} for t in order]
    return pd.DataFrame(rows, columns=["visitor_type", "label", "people_hours", "share"])


def _origins(mix: pd.DataFrame, total: int, top: int) -> pd.DataFrame:
    columns = ["origin", "segment_group", "people_hours", "share"]
    if mix.empty:
        return pd.DataFrame(columns=columns)
    by_segment = (mix.groupby(["segment", "segment_group"], as_index=False)["visitor_hours"].sum()
                  .sort_values(["visitor_hours", "segment"], ascending=[False, True]))
    head = by_segment.head(top)
    rows = [{"origin": origin_label(r["segment"], "en"), "segment_group": r["segment_group"],
             "people_hours": int(r["visitor_hours"])} for r in head.to_dict("records")]
    rest = int(by_segment["visitor_hours"].iloc[top:].sum())
    if rest:
        rows.append({"origin": "Other markets", "segment_group": "other", "people_hours": rest})
    out = pd.DataFrame(rows, columns=columns[:3])
    out["share"] = out["people_hours"] / total if total else 0.0
    return out


def places_by_category(places: pd.DataFrame) -> pd.DataFrame:
    """Places, rooms and beds per category of ``places`` (an area's places), most places first."""
    columns = ["category", "label", "places", "rooms", "beds"]
    if places.empty:
        return pd.DataFrame(columns=columns)
    grouped = (places.groupby("category", as_index=False)
               .agg(places=("place_id", "count"), rooms=("rooms", "sum"), beds=("beds", "sum")))
    grouped["label"] = [CATEGORY_LABELS.get(c, c) for c in grouped["category"]]
    grouped["rooms"] = pd.to_numeric(grouped["rooms"]).fillna(0).astype("int64")
    grouped["beds"] = pd.to_numeric(grouped["beds"]).fillna(0).astype("int64")
    return grouped.sort_values(["places", "category"], ascending=[False, True])[columns].reset_index(drop=True)


def area_summary(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    area: str | Ring,
    season: str = "range",
    hour: int | None = None,
    *,
    floor: int,
) -> AreaSummary:
    """The figures of a drawn ``area`` (WKT or (lon, lat) ring) under the density map's selection (see ``AreaSummary``).

    ``season`` and ``hour`` are those of ``presence.cell_density`` ("range" = the months the date range touches;
    ``hour`` narrows the sidebar hours to one); ``floor`` is the privacy floor (0 for officials). Raises
    ``FilterError`` for an area ``check_area`` refuses.
    """
    checked = check_area(area)
    months, lo, hi = _selection(filters, season, hour)
    require_tables(con, *_HOUR_TABLES)
    wkt = {"area_wkt": checked.wkt}
    cells = sql.fetch_df(con, "app/area_summary_cells", wkt)
    hours = sql.fetch_df(con, "app/area_summary_hours", {
        **wkt, "months": months, "weekdays": list(filters.weekdays), "segments": list(filters.segments),
        "floor": int(floor)})
    mix_withheld = bool(floor)
    visitor_types = pd.DataFrame(columns=["visitor_type", "label", "people_hours", "share"])
    origins = pd.DataFrame(columns=["origin", "segment_group", "people_hours", "share"])
    overnight_share: float | None = None
    if not mix_withheld:
        require_tables(con, "visits_hourly")
        mix = sql.fetch_df(con, "app/area_summary_mix", {
            **wkt, "months": months, "weekdays": list(filters.weekdays), "hour_from": lo, "hour_to": hi,
            "segments": list(filters.segments)})
        total = int(mix["visitor_hours"].sum()) if not mix.empty else 0
        visitor_types = _visitor_types(mix, total)
        origins = _origins(mix, total, TOP_ORIGINS)
        overnight = int(mix.loc[mix["visitor_type"] == "overnight", "visitor_hours"].sum()) if total else 0
        overnight_share = overnight / total if total else None

    return summary_from(con, checked, cells, hours, (lo, hi), mix_withheld=mix_withheld,
                        overnight_share=overnight_share, visitor_types=visitor_types, origins=origins)


def summary_from(
    con: duckdb.DuckDBPyConnection, checked: CheckedArea, cells: pd.DataFrame, hours: pd.DataFrame,
    hour_range: tuple[int, int], *, mix_withheld: bool = True, overnight_share: float | None = None,
    visitor_types: pd.DataFrame | None = None, origins: pd.DataFrame | None = None,
) -> AreaSummary:
    """An ``AreaSummary`` from the area's cells, its people by hour of day (``hours``: hour, visitor_hours,
    present, days_with_data) and the visitor mix (withheld by default), with the places inside read from ``con``
    (shared by the officials' and the public summary)."""
    lo, hi = hour_range
    days = int(hours["days_with_data"].iloc[0]) if not hours.empty else 0
    hours = hours[["hour", "visitor_hours", "present"]].reset_index(drop=True)
    hours["visitor_hours"] = hours["visitor_hours"].astype("int64")
    selected = hours[hours["hour"].between(lo, hi)]
    people_hours = int(selected["visitor_hours"].sum())
    peak = hours.sort_values(["present", "hour"], ascending=[False, True]).head(1)
    places = sql.fetch_df(con, "app/area_summary_places", {"area_wkt": checked.wkt})
    places.insert(3, "category_label", [CATEGORY_LABELS.get(c, c) for c in places["category"]])
    acc = places[places["layer"] == "accommodation"]
    return AreaSummary(
        area=checked,
        cells=len(cells),
        zones=tuple(sorted({str(z) for z in cells["zone_id"].dropna()})),
        hours=hours,
        hour_from=lo,
        hour_to=hi,
        days_with_data=days,
        people_hours=people_hours,
        present=people_hours / (days * (hi - lo + 1)) if days else 0.0,
        peak_hour=int(peak["hour"].iloc[0]) if not peak.empty else None,
        peak_present=float(peak["present"].iloc[0]) if not peak.empty else None,
        mix_withheld=mix_withheld,
        overnight_share=overnight_share,
        visitor_types=(visitor_types if visitor_types is not None
                       else pd.DataFrame(columns=["visitor_type", "label", "people_hours", "share"])),
        origins=origins if origins is not None else pd.DataFrame(columns=["origin", "segment_group", "people_hours", "share"]),
        places=places,
        by_category=places_by_category(places),
        accommodations=len(acc),
        rooms=int(pd.to_numeric(acc["rooms"]).fillna(0).sum()),
        beds=int(pd.to_numeric(acc["beds"]).fillna(0).sum()),
    )
