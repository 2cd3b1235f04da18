"""Maps of the Flows and routes page: zone/place corridors and itineraries (all text escaped).

Each builder takes ``geo.services.movement`` output and returns a ``folium.Map`` with zones as context, a legend
and a layer control; none of them queries. Names from data reach the map only through ``esc``
(``geo.text.html_text``): tooltips and popups land in template literals that Leaflet parses as HTML, layer
names in the layer control's HTML (see ``geo.render.base``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import folium
import pandas as pd

from geo.i18n import _, display_name, format_number, format_percent
from geo.render.base import (
    Legend,
    add_context_zones,
    base_map,
    esc,
    fit_to,
    leg_end_name,
    name_label,
    popup_table,
)
from geo.roadgraph import turn_instruction
from geo.vocab import ROAD_CLASSES, route_text

#: Sequential colours for corridor classes, lightest (fewest trips) first (ColorBrewer YlOrRd).
CORRIDOR_COLOURS: tuple[str, ...] = ("#fecc5c", "#fd8d3c", "#f03b20", "#bd0026", "#67000d")
#: Line width range in pixels for corridors (fewest → most trips).
CORRIDOR_WIDTH = (2.0, 12.0)
ROUTE_COLOUR = "#1f4e79"


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
    for i, (_lower, upper) in enumerate(classes):
        if value <= upper:
            return i
    return len(classes) - 1


def _trips_range(lower: float, upper: float) -> str:
    """A legend row: ``120–450 trips`` in the current language."""
    return _("{low}–{high} trips").format(low=format_number(math.floor(lower)), high=format_number(math.ceil(upper)))


def _bent_path(lat1: float, lon1: float, lat2: float, lon2: float, bend: float = 0.08) -> list[list[float]]:
    """A three-point path bowing to the right of travel, so A→B and B→A stay apart."""
    mid_lat, mid_lon = (lat1 + lat2) / 2, (lon1 + lon2) / 2
    d_lat, d_lon = lat2 - lat1, lon2 - lon1
    return [[lat1, lon1], [mid_lat - d_lon * bend, mid_lon + d_lat * bend], [lat2, lon2]]


def corridor_map(corridors: pd.DataFrame, zones_geojson: str | None = None, *, level: str = "zone") -> folium.Map:
    """Corridors as lines whose width and colour follow trips, endpoints as circles, with legend and layers.

    ``corridors`` is ``geo.movement.top_corridors`` output (origin/destination names and lon/lat, trips).
    """
    m = base_map()
    add_context_zones(m, zones_geojson)
    df = corridors.dropna(subset=["origin_lat", "origin_lon", "destination_lat", "destination_lon"])
    classes = corridor_classes(df["trips"].tolist())
    hi = float(df["trips"].max()) if not df.empty else 1.0
    lo = float(df["trips"].min()) if not df.empty else 0.0
    lines = folium.FeatureGroup(name=esc(_("Corridors ({n})").format(n=len(df))), show=True)
    for rec in df.sort_values("trips").to_dict("records"):
        idx = _class_index(float(rec["trips"]), classes)
        frac = 0.0 if hi <= lo else (float(rec["trips"]) - lo) / (hi - lo)
        width = CORRIDOR_WIDTH[0] + frac * (CORRIDOR_WIDTH[1] - CORRIDOR_WIDTH[0])
        label = f"{display_name(rec, prefix='origin_')} → {display_name(rec, prefix='destination_')}"
        trips = format_number(int(rec["trips"]))
        folium.PolyLine(
            _bent_path(rec["origin_lat"], rec["origin_lon"], rec["destination_lat"], rec["destination_lon"]),
            color=CORRIDOR_COLOURS[idx],
            weight=round(width, 1),
            opacity=0.85,
            tooltip=folium.Tooltip(esc(_("{route}: {trips} trips").format(route=label, trips=trips))),
            popup=popup_table(
                label,  # trusted-text: popup_table escapes its title and values
                {
                    _("From"): name_label(rec, prefix="origin_"),
                    _("To"): name_label(rec, prefix="destination_"),
                    _("Trips"): trips,
                    _("Trips per day"): format_number(float(rec.get("trips_per_day", 0)), decimals=1),
                    _("Share of corridor trips"): format_percent(float(rec.get("share", 0))),
                    _("Rank"): rec.get("rank"),
                },
            ),
        ).add_to(lines)
    lines.add_to(m)
    ends = folium.FeatureGroup(name=esc(_("Origins and destinations")), show=True)
    cols = ["id", "name_en", "name_th", "name_zh", "lat", "lon"]
    endpoints = pd.concat([
        df.reindex(columns=["origin", "origin_name_en", "origin_name_th", "origin_name_zh", "origin_lat",
                            "origin_lon"]).set_axis(cols, axis=1),
        df.reindex(columns=["destination", "destination_name_en", "destination_name_th", "destination_name_zh",
                            "destination_lat", "destination_lon"]).set_axis(cols, axis=1),
    ]).drop_duplicates("id")
    for rec in endpoints.to_dict("records"):
        folium.CircleMarker(
            [rec["lat"], rec["lon"]], radius=5, color="#222222", weight=1, fill=True, fill_color="#ffffff",
            fill_opacity=1, tooltip=folium.Tooltip(esc(name_label(rec))),
        ).add_to(ends)
    ends.add_to(m)
    items = [(CORRIDOR_COLOURS[i], _trips_range(a, b)) for i, (a, b) in enumerate(classes)]
    Legend(
        _("Top corridors between zones") if level == "zone" else _("Top corridors between places"),
        items or [("#999999", _("No trips for these filters"))],
        note=_("Width and colour follow trips; lines bow right of travel."),
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    fit_to(m, endpoints["lat"].tolist(), endpoints["lon"].tolist())
    return m


#: Colour of turn points on a route.
TURN_COLOUR = "#f39c12"
#: Line width range in pixels for road loads (fewest → most trips).
LOAD_WIDTH = (1.5, 9.0)


def route_map(legs: pd.DataFrame, stops: pd.DataFrame, label: str, zones_geojson: str | None = None,
              turns: pd.DataFrame | None = None) -> folium.Map:
    """An itinerary: numbered stops, one line per leg (solid on roads, dashed when straight), turn points.

    ``legs``, ``stops``, ``label`` and ``turns`` are the fields of ``geo.services.movement.Route``: legs with leg,
    from_name, to_name, distance_km, minutes, path ([lat, lon] points) and on_roads (absent: straight); stops
    in visiting order with name_en, name_th, lat, lon; the routing method's name; turn points with lat, lon
    and instruction.
    """
    m = base_map()
    add_context_zones(m, zones_geojson)
    label = route_text(label)  # the router's method name in the reader's language; escaped wherever it is shown
    stop_names = {rec.get("name_en"): display_name(rec) for rec in stops.to_dict("records")}
    on_roads = legs["on_roads"] if "on_roads" in legs else pd.Series(False, index=legs.index)
    group = folium.FeatureGroup(name=esc(_("Route — {method}").format(method=label)), show=True)  # layer control
    for rec, road in zip(legs.to_dict("records"), on_roads.tolist(), strict=True):
        text = _("Leg {n}: {start} → {end}").format(n=rec["leg"], start=leg_end_name(rec, "from"), end=leg_end_name(rec, "to"))
        method = _("on roads") if road else _("straight line")
        rows = {_("Distance (km)"): f"{rec['distance_km']:.2f}", _("Time (min)"): f"{rec['minutes']:.0f}",
                _("Method"): method}
        if road:
            rows[_("Snap from / to (m)")] = f"{rec.get('snap_from_m', 0):.0f} / {rec.get('snap_to_m', 0):.0f}"
        elif rec.get("note"):
            rows[_("Why straight")] = route_text(rec["note"], stop_names)
        folium.PolyLine(
            rec["path"], color=ROUTE_COLOUR, weight=5 if road else 4, opacity=0.9, dash_array=None if road else "8 6",
            tooltip=folium.Tooltip(esc(_("{leg} · {km} km · {minutes} min ({method})").format(
                leg=text, km=f"{rec['distance_km']:.2f}", minutes=f"{rec['minutes']:.0f}", method=method))),
            popup=popup_table(text, rows),  # trusted-text: popup_table escapes its title and values
        ).add_to(group)
    group.add_to(m)
    if turns is not None and not turns.empty:
        turn_group = folium.FeatureGroup(name=esc(_("Turn points ({n})").format(n=len(turns))), show=True)
        for rec in turns.to_dict("records"):
            folium.CircleMarker(
                [rec["lat"], rec["lon"]], radius=4, color="#333333", weight=1, fill=True, fill_color=TURN_COLOUR,
                fill_opacity=1, tooltip=folium.Tooltip(esc(_("Leg {n}: {instruction}").format(
                    n=int(rec["leg"]), instruction=turn_instruction(rec["angle"], rec["road"])
                    if "angle" in rec else rec["instruction"]))),
            ).add_to(turn_group)
        turn_group.add_to(m)
    stop_group = folium.FeatureGroup(name=esc(_("Stops ({n})").format(n=len(stops))), show=True)
    for i, rec in enumerate(stops.to_dict("records"), start=1):
        folium.Marker(
            [rec["lat"], rec["lon"]],
            # DivIcon html travels as JSON and becomes innerHTML: only the stop number and constants go in
            icon=folium.DivIcon(
                html=(f"<div style='background:{ROUTE_COLOUR};color:#fff;border-radius:50%;width:22px;height:22px;"
                      f"text-align:center;font:bold 12px/22px sans-serif;border:2px solid #fff'>{i:d}</div>"),
                icon_size=(22, 22), icon_anchor=(11, 11),
            ),
            tooltip=folium.Tooltip(f"{i:d}. {esc(name_label(rec))}"),
        ).add_to(stop_group)
    stop_group.add_to(m)
    items = [(ROUTE_COLOUR, _("Legs: {method}").format(method=label))]
    if bool(on_roads.any()) and not bool(on_roads.all()):
        items.append(("#7f8c8d", _("Dashed: straight line (no road near the place)")))
    if turns is not None and not turns.empty:
        items.append((TURN_COLOUR, _("Turn points")))
    items.append((ROUTE_COLOUR, _("Numbered stops in visiting order")))
    note = (_("Distances are straight-line: no road network is imported.") if not bool(on_roads.any())
            else _("Solid: on roads (free-flow times); dashed: straight line."))
    Legend(_("Route"), items, note=note).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    lats = [p[0] for path in legs["path"] for p in path] or stops["lat"].tolist()
    lons = [p[1] for path in legs["path"] for p in path] or stops["lon"].tolist()
    fit_to(m, lats, lons, pad=0.005)
    return m


def _load_style(colour: str, width: float):
    def style(_feature: dict) -> dict:
        return {"color": colour, "weight": width, "opacity": 0.85}

    return style


def road_class_label(highway: object) -> str:
    """An OpenStreetMap road class in words in the current language (its tag value when unknown)."""
    known = ROAD_CLASSES.get(str(highway))
    return _(known[1]) if known else str(highway)


def _street_name(rec: dict) -> str:
    """A street's name for the reader: the Thai name for Thai readers when tagged, else the name, the ref or
    "unnamed <class>"."""
    from geo.i18n import get_language

    if get_language() == "th" and esc(rec.get("name_th")):
        return str(rec["name_th"])
    if esc(rec.get("name")) or esc(rec.get("ref")):
        return str(rec.get("name") or rec.get("ref"))
    return _("unnamed {road_class}").format(road_class=road_class_label(rec.get("highway")).lower())


def road_load_map(loads: pd.DataFrame, zones_geojson: str | None = None, *, level: str = "zone") -> folium.Map:
    """Street segments drawn with width and colour by the trips routed along them (both directions), legend.

    ``loads`` is ``geo.services.roads.road_loads`` output: trips, name, ref, highway, length_m and geometry
    (GeoJSON LineString text), busiest first.
    """
    import json

    m = base_map()
    add_context_zones(m, zones_geojson)
    df = loads[loads["trips"] > 0] if not loads.empty else loads
    classes = corridor_classes(df["trips"].tolist())
    hi = float(df["trips"].max()) if not df.empty else 1.0
    lo = float(df["trips"].min()) if not df.empty else 0.0
    group = folium.FeatureGroup(name=esc(_("Road load ({n} street segments)").format(n=format_number(len(df)))),
                                show=True)
    by_class: dict[int, list[dict]] = {}
    widths: dict[int, float] = {}
    for rec in df.sort_values("trips").to_dict("records"):
        idx = _class_index(float(rec["trips"]), classes)
        street = _street_name(rec)
        geometry = json.loads(rec["geometry"])
        geometry["coordinates"] = [[round(x, 5), round(y, 5)] for x, y, *_ in geometry["coordinates"]]  # ~1 m
        by_class.setdefault(idx, []).append({
            "type": "Feature", "geometry": geometry,
            "properties": {"tip": esc(_("{street}: {trips} trips ({highway}, {metres} m)").format(
                street=street, trips=format_number(int(rec["trips"])), highway=road_class_label(rec["highway"]),
                metres=format_number(round(float(rec["length_m"])))))},
        })
        frac = 0.0 if hi <= lo else (float(rec["trips"]) - lo) / (hi - lo)
        widths[idx] = max(widths.get(idx, 0.0), LOAD_WIDTH[0] + frac * (LOAD_WIDTH[1] - LOAD_WIDTH[0]))
    for idx in sorted(by_class):
        folium.GeoJson(
            {"type": "FeatureCollection", "features": by_class[idx]},
            style_function=_load_style(CORRIDOR_COLOURS[idx], round(widths[idx], 1)),
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
            control=False,
        ).add_to(group)
    group.add_to(m)
    items = [(CORRIDOR_COLOURS[i], _trips_range(a, b)) for i, (a, b) in enumerate(classes)]
    Legend(
        _("Road load: corridors between zones") if level == "zone" else _("Road load: corridors between places"),
        items or [("#999999", _("No routed trips for these filters"))],
        note=_("Trips of every routed corridor added on the streets of its fastest path, both directions."),
    ).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    if not df.empty:
        coords = [c for g in df["geometry"] for c in json.loads(g)["coordinates"]]
        fit_to(m, [c[1] for c in coords], [c[0] for c in coords], pad=0.005)
    return m
