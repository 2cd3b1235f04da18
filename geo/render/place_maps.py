"""Maps of places: the Atlas map (a layer per category) and the Places page's results with a chosen place (escaped).

Every text from data goes through ``esc`` (``geo.text.html_text``) where it is built into HTML: tooltips and
popups (template literals in the map script, then HTML), layer names (HTML in the layer control) and the
legend (HTML). A category that ``geo.vocab`` does not know (imported data) is drawn in ``NEUTRAL_COLOUR``
under its own text as the label. See ``geo.render.base`` for where each folium text lands.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import folium
import pandas as pd
from folium import plugins

from geo.i18n import _, display_name
from geo.render.base import (
    MAX_DOM_MARKERS,
    NEUTRAL_COLOUR,
    SELECTED_COLOUR,
    Legend,
    add_context_zones,
    add_zones,
    base_map,
    esc,
    fit_to,
    name_label,
    other_name,
    safe_colour,
)
from geo.settings import MAP_ZOOM
from geo.vocab import CATEGORY_COLOURS, CATEGORY_LABELS, PRICE_BAND_LABELS


def category_text(value: object) -> str:
    """A category as text: missing (None, NaN) becomes the empty string; anything else ``str``."""
    return "" if esc(value) == "" else str(value)


def category_colour(category: object) -> str:
    """The category's colour in ``geo.vocab``; ``NEUTRAL_COLOUR`` for a category it does not know."""
    return safe_colour(CATEGORY_COLOURS.get(category_text(category)), NEUTRAL_COLOUR)


def category_label(category: object) -> str:
    """The category's label in ``geo.vocab`` in the current language, else its own text (unescaped: escape
    where it is shown)."""
    text = category_text(category)
    known = CATEGORY_LABELS.get(text)
    return _(known) if known else text or _("No category")


def category_order(categories: pd.Series) -> list[str]:
    """Categories present in ``categories``: the vocabulary's order first, then unknown ones sorted."""
    present = {category_text(c) for c in categories}
    known = [c for c in CATEGORY_COLOURS if c in present]
    return known + sorted(present - set(known))


def _place_hours(rec: Mapping[str, object]) -> str | None:
    open_hour, close_hour = rec.get("open_hour"), rec.get("close_hour")
    if open_hour is None or pd.isna(open_hour) or close_hour is None or pd.isna(close_hour):
        return None
    return f"{int(open_hour):02d}:00–{int(close_hour):02d}:00"


def _place_popup_html(rec: Mapping[str, object], category: str) -> str:
    """Popup HTML of one place: every value ``esc``-aped (it lands in a template literal, then HTML)."""
    band = rec.get("price_band")
    rows = {
        _("Other name"): other_name(rec),
        _("Category"): category_label(category),
        _("Zone"): display_name(rec, prefix="zone_") if "zone_name_en" in rec else rec.get("zone_name"),
        _("Rooms"): rec.get("rooms"),
        _("Price band"): _(PRICE_BAND_LABELS[band]) if band in PRICE_BAND_LABELS else band,
        _("Hours"): _place_hours(rec),
    }
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:8px'>{esc(k)}</th><td>{esc(v)}</td></tr>"
        for k, v in rows.items()
        if esc(v) != ""  # None, NaN, pd.NA and empty texts are left out
    )
    return f"<div style='font:13px sans-serif'><b>{esc(display_name(rec))}</b><table>{cells}</table></div>"


def add_place_layers(m: folium.Map, places: pd.DataFrame, *, radius: int = 6) -> list[str]:
    """One toggleable layer per category; clustered when more than ``MAX_DOM_MARKERS`` points.

    Up to the marker budget each category is one GeoJSON layer of canvas circle markers (one template
    render per layer, not per place: a 230-place map renders in milliseconds). ``places`` needs
    place_id, category, name_en, name_th, lat, lon; optional zone_name, rooms, price_band, open_hour,
    close_hour. Every text is escaped before it reaches the map. A category outside ``geo.vocab`` gets a
    layer of its own in ``NEUTRAL_COLOUR``, labelled with its text. Returns the categories drawn.
    """
    drawn = []
    cluster = len(places) > MAX_DOM_MARKERS
    categories = places["category"].map(category_text)
    for category in category_order(categories):
        group = places[categories == category]
        # layer name: HTML in Leaflet's layer control (innerHTML), so escaped
        label = esc(f"{category_label(category)} ({len(group)})")
        fg = folium.FeatureGroup(name=label, show=True)  # trusted-text: label is esc-aped above
        colour = category_colour(category)
        records = group.to_dict("records")
        if cluster:
            target = plugins.MarkerCluster(name=label).add_to(fg)
            for rec in records:
                folium.CircleMarker(
                    location=[rec["lat"], rec["lon"]], radius=radius, color="#222222", weight=1, fill=True,
                    fill_color=colour, fill_opacity=0.9,
                    tooltip=folium.Tooltip(esc(name_label(rec))),
                    popup=folium.Popup(_place_popup_html(rec, category), max_width=320),  # trusted-text: esc-aped
                ).add_to(target)
        else:
            features = [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [round(rec["lon"], 6), round(rec["lat"], 6)]},
                    "properties": {
                        "tip": esc(name_label(rec)),
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
        _("Places by category"),
        [(category_colour(c), category_label(c)) for c in drawn],  # Legend escapes the labels
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
    items = [(category_colour(c), category_label(c)) for c in drawn]  # Legend escapes the labels
    if selected:
        group = folium.FeatureGroup(name=esc(_("Chosen place and nearby ({n})").format(
            n=0 if nearby is None else len(nearby))), show=True)
        folium.Circle(
            [selected["lat"], selected["lon"]], radius=nearby_radius_m, color=SELECTED_COLOUR, weight=2, fill=False,
            dash_array="6 4", tooltip=folium.Tooltip(esc(_("{km} km around {place}").format(
                km=f"{nearby_radius_m / 1000:.1f}", place=display_name(selected)))),
        ).add_to(group)
        for rec in ([] if nearby is None else nearby.to_dict("records")):
            folium.PolyLine(
                [[selected["lat"], selected["lon"]], [rec["lat"], rec["lon"]]], color="#555555", weight=1, opacity=0.6,
                tooltip=folium.Tooltip(f"{esc(display_name(rec))}: {rec['distance_m']:,.0f} m"),
            ).add_to(group)
        folium.CircleMarker(
            [selected["lat"], selected["lon"]], radius=11, color="#000000", weight=3, fill=True,
            fill_color=SELECTED_COLOUR, fill_opacity=0.9,
            tooltip=folium.Tooltip(esc(name_label(selected))),
        ).add_to(group)
        group.add_to(m)
        items.append((SELECTED_COLOUR, _("Chosen place (circle = nearby radius)")))
        fit_to(m, [selected["lat"]], [selected["lon"]], pad=nearby_radius_m / 111_000 * 1.5)
    elif not results.empty:
        fit_to(m, results["lat"].tolist(), results["lon"].tolist())
    note = _("Clustered: more than {n} places").format(n=MAX_DOM_MARKERS) if len(results) > MAX_DOM_MARKERS else ""
    Legend(_("Places found"), items or [("#999999", _("No places match"))], note=note).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    return m
