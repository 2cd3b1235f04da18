"""Maps of places: the Atlas map (a layer per category) and the Places page's results with a chosen place (escaped)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import pandas as pd
from folium import plugins

from geo.render.base import (
    MAX_DOM_MARKERS,
    SELECTED_COLOUR,
    Legend,
    add_context_zones,
    add_zones,
    base_map,
    esc,
    fit_to,
)
from geo.settings import MAP_ZOOM
from geo.vocab import CATEGORY_COLOURS, CATEGORY_LABELS


def _place_hours(rec: Mapping[str, object]) -> str | None:
    open_hour, close_hour = rec.get("open_hour"), rec.get("close_hour")
    if open_hour is None or pd.isna(open_hour) or close_hour is None or pd.isna(close_hour):
        return None
    return f"{int(open_hour):02d}:00–{int(close_hour):02d}:00"


def _place_popup_html(rec: Mapping[str, object], category: str) -> str:
    rows = {
        "ชื่อ": rec.get("name_th"),
        "Category": CATEGORY_LABELS.get(category, category),
        "Zone": rec.get("zone_name"),
        "Rooms": rec.get("rooms"),
        "Price band": rec.get("price_band"),
        "Hours": _place_hours(rec),
    }
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:8px'>{esc(k)}</th><td>{esc(v)}</td></tr>"
        for k, v in rows.items()
        if v is not None and not (isinstance(v, float) and pd.isna(v)) and v != ""
    )
    return f"<div style='font:13px sans-serif'><b>{esc(rec.get('name_en'))}</b><table>{cells}</table></div>"


def add_place_layers(m: folium.Map, places: pd.DataFrame, *, radius: int = 6) -> list[str]:
    """One toggleable layer per category; clustered when more than ``MAX_DOM_MARKERS`` points.

    Up to the marker budget each category is one GeoJSON layer of canvas circle markers (one template
    render per layer, not per place: a 230-place map renders in milliseconds). ``places`` needs
    place_id, category, name_en, name_th, lat, lon; optional zone_name, rooms, price_band, open_hour,
    close_hour. Every text is escaped before it reaches the map. Returns the categories drawn.
    """
    drawn = []
    cluster = len(places) > MAX_DOM_MARKERS
    order = [c for c in CATEGORY_COLOURS if c in set(places["category"])]
    for category in order:
        group = places[places["category"] == category]
        label = f"{CATEGORY_LABELS.get(category, category)} ({len(group)})"
        fg = folium.FeatureGroup(name=label, show=True)
        colour = CATEGORY_COLOURS[category]
        records = group.to_dict("records")
        if cluster:
            target = plugins.MarkerCluster(name=label).add_to(fg)
            for rec in records:
                folium.CircleMarker(
                    location=[rec["lat"], rec["lon"]], radius=radius, color="#222222", weight=1, fill=True,
                    fill_color=colour, fill_opacity=0.9,
                    tooltip=folium.Tooltip(f"{esc(rec['name_en'])} · {esc(rec['name_th'])}"),
                    popup=folium.Popup(_place_popup_html(rec, category), max_width=320),
                ).add_to(target)
        else:
            features = [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(rec["lon"], 6), round(rec["lat"], 6)]},
                    "properties": {
                        "tip": f"{esc(rec['name_en'])} · {esc(rec['name_th'])}",
                        "popup": _place_popup_html(rec, category),
                    },
                }
                for rec in records
            ]
            folium.GeoJson(
                {"type": "FeatureCollection", "features": features},
                name=label,
                marker=folium.CircleMarker(radius=radius, color="#222222", weight=1, fill=True,
                                           fill_color=colour, fill_opacity=0.9),
                tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
                popup=folium.GeoJsonPopup(fields=["popup"], labels=False, max_width=320),
                control=False,
            ).add_to(fg)
        fg.add_to(m)
        drawn.append(category)
    return drawn


def places_map(
    places: pd.DataFrame, zones_geojson: str | None = None, *, note: str = "", zoom: int = MAP_ZOOM
) -> folium.Map:
    """The atlas' places map: zones as context, a layer per category, a legend and a layer control."""
    m = base_map(zoom=zoom)
    if zones_geojson:
        add_zones(m, zones_geojson)
    drawn = add_place_layers(m, places)
    Legend(
        "Places by category",
        [(CATEGORY_COLOURS[c], CATEGORY_LABELS.get(c, c)) for c in drawn],
        note=note,
    ).add_to(m)
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
    m = base_map()
    add_context_zones(m, zones_geojson)
    drawn = add_place_layers(m, results)
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
        fit_to(m, [selected["lat"]], [selected["lon"]], pad=nearby_radius_m / 111_000 * 1.5)
    elif not results.empty:
        fit_to(m, results["lat"].tolist(), results["lon"].tolist())
    note = "Clustered: more than 500 places" if len(results) > MAX_DOM_MARKERS else ""
    Legend("Places found", items or [("#999999", "No places match")], note=note).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m
