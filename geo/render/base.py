"""The pieces every Folium map is built from: base map, zones, legend, popups, escaping, fitting.

Builders take DataFrames and return Folium objects; they never query. Every map gets the zones layer as
context so it stays readable when base-map tiles cannot be fetched, a legend and a layer control.

Where a text lands in folium 0.20 / Leaflet 1.9 (so which escaping it needs; issue 11):

* ``folium.Tooltip(text)``: written raw into ``bindTooltip(`<div>TEXT</div>`)``, a JavaScript template
  literal inside a ``<script>``, and then parsed as HTML by Leaflet. Needs ``esc`` (HTML plus backtick,
  ``$`` and backslash as character references, so the literal cannot end or interpolate).
* ``folium.Popup(html)``: written raw into ``$(`HTML`)[0]`` (template literal, then jQuery parses HTML);
  folium only backslash-escapes backticks. Every data text inside it goes through ``esc``.
* ``GeoJsonTooltip`` / ``GeoJsonPopup``: field names and aliases via ``|tojson`` (safe in the script), the
  feature properties via the GeoJSON data (``|tojson``), but both end in ``div.innerHTML`` through a
  runtime template literal, so aliases and every displayed property are HTML: ``esc`` them.
* Layer names (``FeatureGroup(name=)``, ``GeoJson(name=)``, ``MarkerCluster(name=)``, ``HexLayer``): keys
  of a ``|tojson`` object, then Leaflet's layer control sets ``innerHTML = ' ' + name``: HTML, ``esc``.
* ``DivIcon(html=)``: JSON through folium's ``tojavascript`` (escapes ``<>&'``), then ``innerHTML``: HTML.
* ``Legend``: title, labels and note are ``esc``-aped into one HTML string passed with ``|tojson`` and set
  as ``innerHTML``.
* ``style_function`` results: folium writes them with plain ``json.dumps`` (no ``</script>`` escaping)
  into the script, so style values are constants or colours checked by ``safe_colour``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import folium
import pandas as pd
from branca.element import MacroElement, Template

from geo.i18n import N_, _, display_name, get_language
from geo.render.assets import use_local_assets
from geo.settings import MAP_CENTER, MAP_ZOOM, get_settings
from geo.text import html_text
from geo.vocab import DEFAULT_ZONE_LEVEL, zone_level_label

#: Colour of a chosen place, attraction or cell outline on every map.
SELECTED_COLOUR = "#e41a1c"

#: DOM-marker budget per map; beyond it points are clustered (issue 4: never more than 500 markers).
MAX_DOM_MARKERS = 500

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
    """A Leaflet legend control; title, labels and note are escaped with ``esc``, colours must be hex codes.

    ``items`` are (colour, label) pairs drawn as coloured dots. ``title``, ``items`` and ``note`` stay on the
    object as plain text for ``geo.render.static_map``, which draws the same legend into a map image.
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
        items = list(items)
        # kept as given (unescaped) for the static map image (geo.render.static_map)
        self.title, self.items, self.note = title, items, note
        rows = "".join(
            f"<div><span style='display:inline-block;width:11px;height:11px;border-radius:50%;"
            f"background:{safe_colour(c)};margin-right:5px;vertical-align:-1px;border:1px solid #333'></span>"
            f"{esc(label)}</div>"
            for c, label in items
        )
        extra = f"<div style='margin-top:4px;color:#7a2e00;font-weight:600'>{esc(note)}</div>" if note else ""
        # HTML context: the body travels with |tojson (safe inside the <script>) and becomes div.innerHTML.
        self.body = f"<div style='font-weight:600;margin-bottom:3px'>{esc(title)}</div>{rows}{extra}"
        self.position = position


#: Colour of anything whose colour is unknown or not a hex code (e.g. an imported category).
NEUTRAL_COLOUR = "#999999"


def safe_colour(colour: object, fallback: str = NEUTRAL_COLOUR) -> str:
    """``colour`` when it is a ``#rgb`` or ``#rrggbb`` hex code, else ``fallback`` (colours reach CSS and JS raw)."""
    ok = (
        isinstance(colour, str) and colour.startswith("#") and len(colour) in (4, 7)
        and all(c in "0123456789abcdefABCDEF" for c in colour[1:])
    )
    return colour if ok else fallback  # type: ignore[return-value]


def esc(value: object) -> str:
    """Escape any value for map HTML: ``geo.text.html_text`` (HTML, and safe in a JS template literal; None → empty)."""
    return html_text(value)


def popup_table(title: str, rows: Mapping[str, object], subtitle: str = "") -> folium.Popup:
    """A popup with an escaped title and a two-column table of escaped values (see the module docstring)."""
    cells = "".join(
        f"<tr><th style='text-align:left;padding-right:8px'>{esc(k)}</th><td>{esc(v)}</td></tr>"
        for k, v in rows.items()
        if esc(v) != ""  # None, NaN, pd.NA and empty texts are left out
    )
    sub = f"<div style='color:#555'>{esc(subtitle)}</div>" if subtitle else ""
    body = f"<div style='font:13px sans-serif'><b>{esc(title)}</b>{sub}<table>{cells}</table></div>"
    return folium.Popup(body, max_width=320)  # trusted-text: template literal → jQuery HTML; every part esc-aped


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
        folium.TileLayer(tiles, name=esc(_("Base map (tiles, needs internet)")), max_zoom=18, control=True).add_to(m)
    return m


#: Layer name of the project's own tourism zones (drawn by the project, hence approximate).
TOURISM_ZONES_LAYER = N_("Tourism zones (approximate)")


def zones_layer_name(level: object) -> str:
    """Layer-control name of a zones layer of ``level`` (None: the tourism zones); raw: ``esc`` it for HTML."""
    if level is None or level == DEFAULT_ZONE_LEVEL:
        return _(TOURISM_ZONES_LAYER)
    return zone_level_label(str(level))


def add_zones(m: folium.Map, zones_geojson: str, *, name: str | None = None) -> folium.GeoJson:
    """Outline zones (GeoJSON FeatureCollection with name_en/name_th properties) with escaped tooltips.

    The layer is named after the collection's ``level`` member (``geography.zones_geojson`` sets it) unless
    ``name`` is given; the name may come from an imported file and is escaped like the zone names.
    """
    doc = json.loads(zones_geojson)
    level = doc.pop("level", None)  # read here, not sent: the map needs only the features
    name = name if name is not None else zones_layer_name(level)
    for feature in doc.get("features", []):
        _name_properties(feature.setdefault("properties", {}))
    layer = folium.GeoJson(
        doc,
        name=esc(name),  # layer control: HTML
        style_function=lambda _f: {"color": "#5a3e2b", "weight": 1.5, "fillColor": "#f3e6d3", "fillOpacity": 0.25},
        highlight_function=lambda _f: {"weight": 3, "fillOpacity": 0.4},
        # folium refuses a tooltip on a collection without features (a level whose zones are all gone)
        tooltip=folium.GeoJsonTooltip(fields=["name", "name_other"], aliases=[esc(_("Zone")), esc(_("Other name"))],
                                      labels=True)
        if doc.get("features") else None,
    )
    layer.add_to(m)
    return layer


def other_name(names: Mapping[str, object], lang: str | None = None, prefix: str = "") -> str:
    """The name a reader of ``lang`` may also know a place or zone by: the Thai name for English and Chinese
    readers, the English one for Thai readers; empty when it is the name already shown."""
    lang = lang or get_language()
    other = "en" if lang == "th" else "th"
    value = names.get(f"{prefix}name_{other}")
    shown = display_name(names, lang, prefix=prefix, mark=False)
    return "" if esc(value) == "" or str(value) == shown else str(value)


def name_label(names: Mapping[str, object], lang: str | None = None, prefix: str = "") -> str:
    """``name · other name`` for tooltips (see ``display_name`` and ``other_name``); raw: ``esc`` it for HTML."""
    main, other = display_name(names, lang, prefix=prefix), other_name(names, lang, prefix)
    return f"{main} · {other}" if other else main


def leg_end_name(rec: Mapping[str, object], end: str) -> str:
    """The name of a route leg's start (``end="from"``) or end (``"to"``) in the current language (legs carry
    the English name as ``from_name`` and the others as ``from_name_th``, ``from_name_zh``)."""
    return display_name({"name_en": rec.get(f"{end}_name"), "name_th": rec.get(f"{end}_name_th"),
                         "name_zh": rec.get(f"{end}_name_zh")})


def _name_properties(props: dict[str, Any]) -> None:
    """Escape a zone's name properties in place and add ``name`` (in the current language) and ``name_other``."""
    raw = {k: props.get(k) for k in ("name_en", "name_th", "name_zh")}
    props["name"] = esc(display_name(raw))
    props["name_other"] = esc(other_name(raw))
    for key in ("name_en", "name_th", "name_zh"):  # shown by GeoJsonTooltips through innerHTML: HTML context
        props[key] = esc(props.get(key))


def escaped_zones(zones_geojson: str, extra: dict[str, dict[str, Any]] | None = None) -> dict:
    """Parse zones GeoJSON, escape the name properties and merge ``extra[zone_id]`` properties."""
    data = json.loads(zones_geojson)
    data.pop("level", None)  # the level names the layer (add_zones); it is not sent with the features
    for feature in data.get("features", []):
        props = feature.setdefault("properties", {})
        _name_properties(props)
        props.update((extra or {}).get(props.get("zone_id"), {}))
    return data


def add_context_zones(m: folium.Map, zones_geojson: str | None) -> None:
    """Outline the zones on ``m`` when a zones GeoJSON is given (context for every data map)."""
    if zones_geojson:
        add_zones(m, zones_geojson)  # add_zones escapes the names


def fit_to(m: folium.Map, lats: Sequence[float], lons: Sequence[float], pad: float = 0.01) -> None:
    """Fit ``m`` to the given points (NaN skipped) with ``pad`` degrees around them."""
    pts = [(a, o) for a, o in zip(lats, lons, strict=True) if not (pd.isna(a) or pd.isna(o))]
    if pts:
        la, lo = zip(*pts, strict=True)
        m.fit_bounds([[min(la) - pad, min(lo) - pad], [max(la) + pad, max(lo) + pad]])
