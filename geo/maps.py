"""Build Folium maps from service DataFrames: base map, zones, place layers, legends (all text escaped).

Builders take DataFrames and return Folium objects; they never query. Every map gets the zones layer as
context so it stays readable when base-map tiles cannot be fetched, a legend and a layer control.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping

import folium
import pandas as pd
from branca.element import MacroElement, Template
from folium import plugins

from geo.assets import use_local_assets
from geo.settings import MAP_CENTER, MAP_ZOOM, get_settings

#: DOM-marker budget per map; beyond it points are clustered (issue 4: never more than 500 markers).
MAX_DOM_MARKERS = 500

#: Colour per place category (colour-blind-aware, grouped by layer hue).
CATEGORY_COLOURS: dict[str, str] = {
    "temple": "#d4a017",
    "museum": "#8e44ad",
    "market": "#e67e22",
    "old_city": "#7f4f24",
    "nature": "#2e8b57",
    "waterfall": "#1f78b4",
    "viewpoint": "#6a3d9a",
    "craft_village": "#b15928",
    "cultural_show": "#e31a1c",
    "cafe_lifestyle": "#fb9a99",
    "hotel": "#1b9e77",
    "resort": "#006d5b",
    "guesthouse": "#66c2a5",
    "hostel": "#a6d854",
    "homestay": "#4d9221",
    "hospital": "#c51b7d",
    "spa": "#de77ae",
    "airport": "#252525",
    "bus_terminal": "#525252",
    "railway_station": "#737373",
}

CATEGORY_LABELS: dict[str, str] = {
    "temple": "Temples",
    "museum": "Museums",
    "market": "Markets & night bazaars",
    "old_city": "Old-city gates & walls",
    "nature": "Nature & national parks",
    "waterfall": "Waterfalls",
    "viewpoint": "Viewpoints",
    "craft_village": "Craft villages",
    "cultural_show": "Cultural shows",
    "cafe_lifestyle": "Cafés & lifestyle areas",
    "hotel": "Hotels",
    "resort": "Resorts",
    "guesthouse": "Guesthouses",
    "hostel": "Hostels",
    "homestay": "Homestays",
    "hospital": "Hospitals",
    "spa": "Spas & wellness",
    "airport": "Airport",
    "bus_terminal": "Bus terminals",
    "railway_station": "Railway station",
}

_LEGEND = """
{% macro script(this, kwargs) %}
(function() {
    var legend = L.control({position: {{ this.position|tojson }}});
    legend.onAdd = function () {
        var div = L.DomUtil.create('div', 'atlas-legend leaflet-control');
        div.style.cssText = 'background:rgba(255,255,255,.92);padding:6px 9px;border-radius:6px;'
            + 'box-shadow:0 1px 4px rgba(0,0,0,.35);font:12px/1.35 sans-serif;max-height:260px;overflow:auto;';
        div.innerHTML = {{ this.body|tojson }};
        L.DomEvent.disableClickPropagation(div);
        return div;
    };
    legend.addTo({{ this._parent.get_name() }});
})();
{% endmacro %}
"""


class Legend(MacroElement):
    """A Leaflet legend control; title, labels and note are HTML-escaped, colours must be hex codes.

    ``items`` are (colour, label) pairs drawn as coloured dots.
    """

    def __init__(
        self,
        title: str,
        items: Iterable[tuple[str, str]],
        note: str = "",
        position: str = "bottomleft",
    ):
        super().__init__()
        self._name = "Legend"
        self._template = Template(_LEGEND)
        rows = "".join(
            f"<div><span style='display:inline-block;width:11px;height:11px;border-radius:50%;"
            f"background:{_safe_colour(c)};margin-right:5px;vertical-align:-1px;border:1px solid #333'></span>"
            f"{html.escape(label)}</div>"
            for c, label in items
        )
        extra = f"<div style='margin-top:4px;color:#7a2e00;font-weight:600'>{html.escape(note)}</div>" if note else ""
        self.body = f"<div style='font-weight:600;margin-bottom:3px'>{html.escape(title)}</div>{rows}{extra}"
        self.position = position


def _safe_colour(colour: str) -> str:
    ok = colour.startswith("#") and len(colour) in (4, 7) and all(c in "0123456789abcdefABCDEF" for c in colour[1:])
    return colour if ok else "#999999"


def esc(value: object) -> str:
    """HTML-escape any value for popups and tooltips (None → empty)."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else html.escape(str(value))


def popup_table(title: str, rows: Mapping[str, object], subtitle: str = "") -> folium.Popup:
    """A popup with an escaped title and a two-column table of escaped values."""
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:8px'>{esc(k)}</th><td>{esc(v)}</td></tr>"
        for k, v in rows.items()
        if v is not None and not (isinstance(v, float) and pd.isna(v)) and v != ""
    )
    sub = f"<div style='color:#555'>{esc(subtitle)}</div>" if subtitle else ""
    body = f"<div style='font:13px sans-serif'><b>{esc(title)}</b>{sub}<table>{cells}</table></div>"
    return folium.Popup(body, max_width=320)


def base_map(
    center: tuple[float, float] = MAP_CENTER,
    zoom: int = MAP_ZOOM,
    *,
    tiles: str | None = None,
) -> folium.Map:
    """A map using app-served Leaflet assets; tiles from ``ATLAS_TILES`` unless ``tiles='none'``."""
    use_local_assets()
    tiles = tiles or get_settings().tiles
    m = folium.Map(
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        min_zoom=7,
        max_zoom=18,
        control_scale=True,
        prefer_canvas=True,
    )
    if tiles.lower() != "none":
        folium.TileLayer(tiles, name="Base map (tiles, needs internet)", max_zoom=18, control=True).add_to(m)
    return m


def add_zones(m: folium.Map, zones_geojson: str, *, name: str = "Tourism zones (approximate)") -> folium.GeoJson:
    """Outline zones (GeoJSON FeatureCollection with name_en/name_th properties) with escaped tooltips."""
    doc = json.loads(zones_geojson)
    for feature in doc.get("features", []):
        props = feature.setdefault("properties", {})
        for key in ("name_en", "name_th"):
            props[key] = esc(props.get(key))
    layer = folium.GeoJson(
        doc,
        name=name,
        style_function=lambda _f: {"color": "#5a3e2b", "weight": 1.5, "fillColor": "#f3e6d3", "fillOpacity": 0.25},
        highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.4},
        tooltip=folium.GeoJsonTooltip(fields=["name_en", "name_th"], aliases=["Zone", "เขต"], labels=True),
    )
    layer.add_to(m)
    return layer


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
