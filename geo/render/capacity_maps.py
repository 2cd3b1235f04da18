"""Map of the Accommodation and capacity page: zones by pressure class and an attraction's catchment (escaped).

Zone properties shown by the GeoJsonTooltip end in ``innerHTML`` and are ``esc``-aped; the fill colour goes
through folium's style map, written with plain ``json.dumps`` into the script, so it must be a hex code
(``safe_colour``). Tooltips, popups and layer names from data go through ``esc`` (see ``geo.render.base``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import folium
import pandas as pd

from geo.i18n import _, display_name
from geo.render.area_draw import add_area_tool
from geo.render.base import (
    MAX_DOM_MARKERS,
    SELECTED_COLOUR,
    Legend,
    base_map,
    esc,
    escaped_zones,
    fit_to,
    name_label,
    other_name,
    popup_table,
    safe_colour,
)
from geo.vocab import CATEGORY_LABELS, NO_BEDS, PRESSURE_CLASSES, PRICE_BAND_COLOURS, PRICE_BAND_LABELS


def pressure_map(
    zones_geojson: str,
    pressure: pd.DataFrame,
    place: Mapping[str, Any] | None = None,
    radius_m: float = 0.0,
    accommodation: pd.DataFrame | None = None,
    classes: Sequence[tuple[str, str]] = (),
    *,
    draw_tool: bool = False,
    area: Sequence[Sequence[float]] = (),
) -> folium.Map:
    """Zones coloured by pressure class (``pressure.colour``), plus an attraction's catchment when ``place`` is given.

    ``pressure`` is ``geo.services.capacity.supply_demand`` output; ``classes`` the (colour, label) legend rows.
    The catchment is drawn from the fields of ``geo.services.capacity.Catchment``: ``place`` (a mapping with
    name_en, name_th, lat, lon), ``radius_m`` (metres) and ``accommodation`` (name_en, name_th, category, lat,
    lon, rooms, beds, price_band, distance_m; none drawn when None). ``draw_tool`` adds the drawn-area tool
    with ``area`` ((lon, lat) corners) as its current area (``geo.render.area_draw``); the map then fits the area.
    """
    classes = list(classes) or [(c, _(label)) for _bound, _key, label, c in PRESSURE_CLASSES] + [
        (NO_BEDS[2], _(NO_BEDS[1]))
    ]
    m = base_map()
    extra: dict[str, dict[str, Any]] = {}
    for rec in pressure.to_dict("records"):
        p = rec.get("pressure")
        extra[rec["zone_id"]] = {
            "fill": safe_colour(rec.get("colour"), NO_BEDS[2]),  # raw into the style map's script: hex only
            "pressure_txt": esc(_("no beds recorded")) if p is None or pd.isna(p) else f"{p:.2f}",
            "class_txt": esc(_(str(rec.get("pressure_label") or ""))) if rec.get("pressure_label") else "",
            "beds_txt": f"{int(rec.get('beds') or 0):,}",
            "overnight_txt": f"{float(rec.get('overnight_per_night') or 0):,.0f}",
        }
    data = escaped_zones(zones_geojson, extra)
    blank = {"fill": NO_BEDS[2], "pressure_txt": esc(_("no data")), "class_txt": "", "beds_txt": "",
             "overnight_txt": ""}
    for feature in data.get("features", []):
        for key, value in blank.items():
            feature["properties"].setdefault(key, value)
    folium.GeoJson(
        data,
        name=esc(_("Pressure index by zone")),
        style_function=lambda f: {"color": "#444444", "weight": 1.2, "fillOpacity": 0.55,
                                  "fillColor": f["properties"].get("fill", "#bdbdbd")},
        highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.7},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "name_other", "pressure_txt", "class_txt", "overnight_txt", "beds_txt"],
            aliases=[esc(a) for a in (_("Zone"), _("Other name"), _("Pressure index"), _("Class"),
                                      _("Overnight visitors / night"), _("Beds"))],
        ),
    ).add_to(m)
    Legend(_("Pressure index (overnight visitors per night ÷ beds)"), classes, position="bottomleft").add_to(m)
    if place:
        acc = accommodation if accommodation is not None else pd.DataFrame(columns=["lat", "lon", "name_en"])
        radius_m = float(radius_m)
        place_name = display_name(place)
        group = folium.FeatureGroup(name=esc(_("Catchment of {place} ({n} accommodations)").format(
            place=place_name, n=len(acc))), show=True)
        folium.Circle(
            [place["lat"], place["lon"]], radius=radius_m, color=SELECTED_COLOUR, weight=2,
            fill=False, dash_array="6 4",
            tooltip=folium.Tooltip(esc(_("{km} km around {place}").format(km=f"{radius_m / 1000:.1f}",
                                                                           place=place_name))),
        ).add_to(group)
        folium.CircleMarker(
            [place["lat"], place["lon"]], radius=9, color="#000000", weight=2, fill=True, fill_color=SELECTED_COLOUR,
            fill_opacity=1, tooltip=folium.Tooltip(esc(name_label(place))),
        ).add_to(group)
        for rec in acc.head(MAX_DOM_MARKERS).to_dict("records"):
            band = rec.get("price_band") if esc(rec.get("price_band")) else "unknown"
            category = rec.get("category")
            folium.CircleMarker(
                [rec["lat"], rec["lon"]], radius=6, color="#222222", weight=1, fill=True,
                fill_color=safe_colour(PRICE_BAND_COLOURS.get(band)), fill_opacity=0.95,
                tooltip=folium.Tooltip(f"{esc(display_name(rec))} · {rec['distance_m'] / 1000:.2f} km"),
                popup=popup_table(display_name(rec), {  # trusted-text: popup_table escapes its title and values
                    _("Other name"): other_name(rec),
                    _("Category"): _(CATEGORY_LABELS[category]) if category in CATEGORY_LABELS else category,
                    _("Rooms"): rec.get("rooms"), _("Beds"): rec.get("beds"),
                    _("Price band"): _(PRICE_BAND_LABELS.get(band, band)),
                    _("Distance (km)"): f"{rec['distance_m'] / 1000:.2f}",
                }),
            ).add_to(group)
        group.add_to(m)
        Legend(_("Accommodation by price band"),
               [(SELECTED_COLOUR, _("Chosen attraction"))]
               + [(c, _(PRICE_BAND_LABELS.get(b, b))) for b, c in PRICE_BAND_COLOURS.items()],
               position="bottomright").add_to(m)
        radius_deg = radius_m / 111_000
        fit_to(m, [place["lat"] - radius_deg, place["lat"] + radius_deg], [place["lon"], place["lon"]], pad=radius_deg)
    if draw_tool:
        add_area_tool(m, area)
    folium.LayerControl(collapsed=True).add_to(m)
    return m
