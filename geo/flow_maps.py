"""Build the Folium maps of the flows, capacity and places pages from service DataFrames (all text escaped).

Each builder takes DataFrames/dicts from ``geo.movement``, ``geo.capacity`` or ``geo.placeinfo`` and
returns a ``folium.Map`` with zones as context, a legend and a layer control; none of them queries.
Every label reaches the browser HTML-escaped (popups via ``geo.maps.popup_table``, tooltips via
``geo.maps.esc``, GeoJSON tooltip properties escaped before folium puts them into ``innerHTML``), and
no map draws more than ``geo.maps.MAX_DOM_MARKERS`` DOM markers (lines and circles go to the canvas).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import folium
import pandas as pd

from geo import capacity, maps
from geo.maps import CATEGORY_COLOURS, CATEGORY_LABELS, Legend, esc, popup_table

#: Sequential colours for corridor classes, lightest (fewest trips) first (ColorBrewer YlOrRd).
CORRIDOR_COLOURS: tuple[str, ...] = ("#fecc5c", "#fd8d3c", "#f03b20", "#bd0026", "#67000d")
#: Line width range in pixels for corridors (fewest → most trips).
CORRIDOR_WIDTH = (2.0, 12.0)
#: Colour per accommodation price band (catchment markers).
PRICE_BAND_COLOURS: dict[str, str] = {
    "budget": "#66c2a5",
    "mid": "#3288bd",
    "upscale": "#5e4fa2",
    "luxury": "#9e0142",
    "unknown": "#999999",
}
ROUTE_COLOUR = "#1f4e79"
SELECTED_COLOUR = "#e41a1c"


def _escaped_zones(zones_geojson: str, extra: dict[str, dict[str, Any]] | None = None) -> dict:
    """Parse zones GeoJSON, escape the name properties and merge ``extra[zone_id]`` properties."""
    data = json.loads(zones_geojson)
    for feature in data.get("features", []):
        props = feature.setdefault("properties", {})
        props["name_en"] = esc(props.get("name_en"))
        props["name_th"] = esc(props.get("name_th"))
        props.update((extra or {}).get(props.get("zone_id"), {}))
    return data


def _add_context_zones(m: folium.Map, zones_geojson: str | None) -> None:
    if zones_geojson:
        maps.add_zones(m, zones_geojson)  # add_zones escapes the names


def _fit(m: folium.Map, lats: Sequence[float], lons: Sequence[float], pad: float = 0.01) -> None:
    pts = [(a, o) for a, o in zip(lats, lons, strict=True) if not (pd.isna(a) or pd.isna(o))]
    if pts:
        la, lo = zip(*pts, strict=True)
        m.fit_bounds([[min(la) - pad, min(lo) - pad], [max(la) + pad, max(lo) + pad]])


def corridor_classes(trips: Sequence[float], n: int = len(CORRIDOR_COLOURS)) -> list[tuple[float, float]]:
    """Up to ``n`` equal-width (lower, upper) trip classes spanning min..max of ``trips`` (one when all equal)."""
    values = [float(t) for t in trips]
    if not values:
        return []
    lo, hi = min(values), max(values)
    if hi <= lo:
        return [(lo, hi)]
    step = (hi - lo) / n
    return [(lo + i * step, hi if i == n - 1 else lo + (i + 1) * step) for i in range(n)]


def _class_index(value: float, classes: list[tuple[float, float]]) -> int:
    for i, (_, upper) in enumerate(classes):
        if value <= upper:
            return i
    return len(classes) - 1


def _bent_path(lat1: float, lon1: float, lat2: float, lon2: float, bend: float = 0.08) -> list[list[float]]:
    """A three-point path bowing to the right of travel, so A→B and B→A stay apart."""
    mid_lat, mid_lon = (lat1 + lat2) / 2, (lon1 + lon2) / 2
    d_lat, d_lon = lat2 - lat1, lon2 - lon1
    return [[lat1, lon1], [mid_lat - d_lon * bend, mid_lon + d_lat * bend], [lat2, lon2]]


def corridor_map(corridors: pd.DataFrame, zones_geojson: str | None = None, *, level: str = "zone") -> folium.Map:
    """Corridors as lines whose width and colour follow trips, endpoints as circles, with legend and layers.

    ``corridors`` is ``geo.movement.top_corridors`` output (origin/destination names and lon/lat, trips).
    """
    m = maps.base_map()
    _add_context_zones(m, zones_geojson)
    df = corridors.dropna(subset=["origin_lat", "origin_lon", "destination_lat", "destination_lon"])
    classes = corridor_classes(df["trips"].tolist())
    hi = float(df["trips"].max()) if not df.empty else 1.0
    lo = float(df["trips"].min()) if not df.empty else 0.0
    lines = folium.FeatureGroup(name=f"Corridors ({len(df)})", show=True)
    for rec in df.sort_values("trips").to_dict("records"):
        idx = _class_index(float(rec["trips"]), classes)
        frac = 0.0 if hi <= lo else (float(rec["trips"]) - lo) / (hi - lo)
        width = CORRIDOR_WIDTH[0] + frac * (CORRIDOR_WIDTH[1] - CORRIDOR_WIDTH[0])
        label = f"{rec['origin_name_en']} → {rec['destination_name_en']}"
        folium.PolyLine(
            _bent_path(rec["origin_lat"], rec["origin_lon"], rec["destination_lat"], rec["destination_lon"]),
            color=CORRIDOR_COLOURS[idx],
            weight=round(width, 1),
            opacity=0.85,
            tooltip=folium.Tooltip(f"{esc(label)}: {int(rec['trips']):,} trips"),
            popup=popup_table(
                label,
                {
                    "From (ไทย)": rec.get("origin_name_th"),
                    "To (ไทย)": rec.get("destination_name_th"),
                    "Trips": f"{int(rec['trips']):,}",
                    "Trips per day": f"{float(rec.get('trips_per_day', 0)):,.1f}",
                    "Share of corridor trips": f"{float(rec.get('share', 0)):.1%}",
                    "Rank": rec.get("rank"),
                },
            ),
        ).add_to(lines)
    lines.add_to(m)
    ends = folium.FeatureGroup(name="Origins and destinations", show=True)
    endpoints = pd.concat([
        df[["origin", "origin_name_en", "origin_name_th", "origin_lat", "origin_lon"]].set_axis(
            ["id", "name_en", "name_th", "lat", "lon"], axis=1),
        df[["destination", "destination_name_en", "destination_name_th", "destination_lat", "destination_lon"]]
        .set_axis(["id", "name_en", "name_th", "lat", "lon"], axis=1),
    ]).drop_duplicates("id")
    for rec in endpoints.to_dict("records"):
        folium.CircleMarker(
            [rec["lat"], rec["lon"]], radius=5, color="#222222", weight=1, fill=True, fill_color="#ffffff",
            fill_opacity=1, tooltip=folium.Tooltip(f"{esc(rec['name_en'])} · {esc(rec['name_th'])}"),
        ).add_to(ends)
    ends.add_to(m)
    what = "zones" if level == "zone" else "places"
    items = [(CORRIDOR_COLOURS[i], f"{math.floor(a):,}–{math.ceil(b):,} trips") for i, (a, b) in enumerate(classes)]
    Legend(
        f"Top corridors between {what}",
        items or [("#999999", "No trips for these filters")],
        note="Width and colour follow trips; lines bow right of travel.",
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    _fit(m, endpoints["lat"].tolist(), endpoints["lon"].tolist())
    return m


def route_map(route: dict[str, Any], zones_geojson: str | None = None) -> folium.Map:
    """An itinerary: numbered stops and one line per leg, labelled with the routing method (e.g. straight-line)."""
    m = maps.base_map()
    _add_context_zones(m, zones_geojson)
    legs: pd.DataFrame = route["legs"]
    stops: pd.DataFrame = route["stops"]
    label = str(route.get("label", ""))
    group = folium.FeatureGroup(name=f"Route — {label}", show=True)
    for rec in legs.to_dict("records"):
        text = f"Leg {rec['leg']}: {rec['from_name']} → {rec['to_name']}"
        folium.PolyLine(
            rec["path"], color=ROUTE_COLOUR, weight=4, opacity=0.9, dash_array="8 6",
            tooltip=folium.Tooltip(f"{esc(text)} · {rec['distance_km']:.2f} km · {rec['minutes']:.0f} min ({esc(label)})"),
            popup=popup_table(text, {"Distance (km)": f"{rec['distance_km']:.2f}", "Time (min)": f"{rec['minutes']:.0f}",
                                     "Method": label}),
        ).add_to(group)
    group.add_to(m)
    stop_group = folium.FeatureGroup(name=f"Stops ({len(stops)})", show=True)
    for i, rec in enumerate(stops.to_dict("records"), start=1):
        folium.Marker(
            [rec["lat"], rec["lon"]],
            icon=folium.DivIcon(
                html=(f"<div style='background:{ROUTE_COLOUR};color:#fff;border-radius:50%;width:22px;height:22px;"
                      f"text-align:center;font:bold 12px/22px sans-serif;border:2px solid #fff'>{i}</div>"),
                icon_size=(22, 22), icon_anchor=(11, 11),
            ),
            tooltip=folium.Tooltip(f"{i}. {esc(rec['name_en'])} · {esc(rec['name_th'])}"),
        ).add_to(stop_group)
    stop_group.add_to(m)
    Legend("Route", [(ROUTE_COLOUR, f"Legs: {label}"), (ROUTE_COLOUR, "Numbered stops in visiting order")],
           note="Distances are straight-line unless a road network is imported." if "straight" in label else "").add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    _fit(m, stops["lat"].tolist(), stops["lon"].tolist())
    return m


def pressure_map(
    zones_geojson: str,
    pressure: pd.DataFrame,
    catchment: dict[str, Any] | None = None,
    classes: Sequence[tuple[str, str]] = (),
) -> folium.Map:
    """Zones coloured by pressure class (``pressure.colour``), plus an attraction's catchment when given.

    ``pressure`` is ``geo.capacity.supply_demand`` output; ``classes`` the (colour, label) legend rows;
    ``catchment`` is ``geo.capacity.catchment`` output (place, radius_m, accommodation).
    """
    classes = list(classes) or [(c, label) for _, _, label, c in capacity.PRESSURE_CLASSES] + [
        (capacity.NO_BEDS[2], capacity.NO_BEDS[1])
    ]
    m = maps.base_map()
    extra: dict[str, dict[str, Any]] = {}
    for rec in pressure.to_dict("records"):
        p = rec.get("pressure")
        extra[rec["zone_id"]] = {
            "fill": rec.get("colour", "#bdbdbd"),
            "pressure_txt": "no beds recorded" if p is None or pd.isna(p) else f"{p:.2f}",
            "class_txt": esc(rec.get("pressure_label")),
            "beds_txt": f"{int(rec.get('beds') or 0):,}",
            "overnight_txt": f"{float(rec.get('overnight_per_night') or 0):,.0f}",
        }
    data = _escaped_zones(zones_geojson, extra)
    blank = {"fill": capacity.NO_BEDS[2], "pressure_txt": "no data", "class_txt": "", "beds_txt": "",
             "overnight_txt": ""}
    for feature in data.get("features", []):
        for key, value in blank.items():
            feature["properties"].setdefault(key, value)
    folium.GeoJson(
        data,
        name="Pressure index by zone",
        style_function=lambda f: {"color": "#444444", "weight": 1.2, "fillOpacity": 0.55,
                                  "fillColor": f["properties"].get("fill", "#bdbdbd")},
        highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.7},
        tooltip=folium.GeoJsonTooltip(
            fields=["name_en", "name_th", "pressure_txt", "class_txt", "overnight_txt", "beds_txt"],
            aliases=["Zone", "เขต", "Pressure index", "Class", "Overnight visitors / night", "Beds"],
        ),
    ).add_to(m)
    Legend("Pressure index (overnight visitors per night ÷ beds)", classes, position="bottomleft").add_to(m)
    if catchment and catchment.get("place"):
        place = catchment["place"]
        acc: pd.DataFrame = catchment["accommodation"]
        group = folium.FeatureGroup(name=f"Catchment of {esc(place['name_en'])} ({len(acc)} accommodations)", show=True)
        folium.Circle(
            [place["lat"], place["lon"]], radius=float(catchment["radius_m"]), color=SELECTED_COLOUR, weight=2,
            fill=False, dash_array="6 4",
            tooltip=folium.Tooltip(f"{catchment['radius_m'] / 1000:.1f} km around {esc(place['name_en'])}"),
        ).add_to(group)
        folium.CircleMarker(
            [place["lat"], place["lon"]], radius=9, color="#000000", weight=2, fill=True, fill_color=SELECTED_COLOUR,
            fill_opacity=1, tooltip=folium.Tooltip(f"{esc(place['name_en'])} · {esc(place['name_th'])}"),
        ).add_to(group)
        for rec in acc.head(maps.MAX_DOM_MARKERS).to_dict("records"):
            band = rec.get("price_band") or "unknown"
            folium.CircleMarker(
                [rec["lat"], rec["lon"]], radius=6, color="#222222", weight=1, fill=True,
                fill_color=PRICE_BAND_COLOURS.get(band, "#999999"), fill_opacity=0.95,
                tooltip=folium.Tooltip(f"{esc(rec['name_en'])} · {rec['distance_m'] / 1000:.2f} km"),
                popup=popup_table(rec["name_en"], {
                    "ชื่อ": rec.get("name_th"), "Category": CATEGORY_LABELS.get(rec.get("category"), rec.get("category")),
                    "Rooms": rec.get("rooms"), "Beds": rec.get("beds"), "Price band": band,
                    "Distance (km)": f"{rec['distance_m'] / 1000:.2f}",
                }),
            ).add_to(group)
        group.add_to(m)
        Legend("Accommodation by price band",
               [(SELECTED_COLOUR, "Chosen attraction")] + [(c, b.capitalize()) for b, c in PRICE_BAND_COLOURS.items()],
               position="bottomright").add_to(m)
        radius_deg = float(catchment["radius_m"]) / 111_000
        _fit(m, [place["lat"] - radius_deg, place["lat"] + radius_deg], [place["lon"], place["lon"]], pad=radius_deg)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def places_result_map(
    results: pd.DataFrame,
    zones_geojson: str | None = None,
    selected: dict[str, Any] | None = None,
    nearby: pd.DataFrame | None = None,
    nearby_radius_m: float = 1000,
) -> folium.Map:
    """Search results (a layer per category, clustered above ``MAX_DOM_MARKERS``), the chosen place and its neighbours."""
    m = maps.base_map()
    _add_context_zones(m, zones_geojson)
    drawn = maps.add_place_layers(m, results)
    items = [(CATEGORY_COLOURS[c], CATEGORY_LABELS.get(c, c)) for c in drawn]
    if selected:
        group = folium.FeatureGroup(name=f"Chosen place and nearby ({0 if nearby is None else len(nearby)})", show=True)
        folium.Circle(
            [selected["lat"], selected["lon"]], radius=nearby_radius_m, color=SELECTED_COLOUR, weight=2, fill=False,
            dash_array="6 4", tooltip=folium.Tooltip(f"{nearby_radius_m / 1000:.1f} km around {esc(selected['name_en'])}"),
        ).add_to(group)
        for rec in ([] if nearby is None else nearby.to_dict("records")):
            folium.PolyLine(
                [[selected["lat"], selected["lon"]], [rec["lat"], rec["lon"]]], color="#555555", weight=1, opacity=0.6,
                tooltip=folium.Tooltip(f"{esc(rec['name_en'])}: {rec['distance_m']:,.0f} m"),
            ).add_to(group)
        folium.CircleMarker(
            [selected["lat"], selected["lon"]], radius=11, color="#000000", weight=3, fill=True,
            fill_color=SELECTED_COLOUR, fill_opacity=0.9,
            tooltip=folium.Tooltip(f"{esc(selected['name_en'])} · {esc(selected['name_th'])}"),
        ).add_to(group)
        group.add_to(m)
        items.append((SELECTED_COLOUR, "Chosen place (circle = nearby radius)"))
        _fit(m, [selected["lat"]], [selected["lon"]], pad=nearby_radius_m / 111_000 * 1.5)
    elif not results.empty:
        _fit(m, results["lat"].tolist(), results["lon"].tolist())
    note = "Clustered: more than 500 places" if len(results) > maps.MAX_DOM_MARKERS else ""
    Legend("Places found", items or [("#999999", "No places match")], note=note).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m
