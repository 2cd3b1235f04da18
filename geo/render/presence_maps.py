"""Draw the visitor-density maps: a heat map of presence and an H3 choropleth with class-break legend.

Builders take the DataFrames ``geo.presence`` returns and give back ``folium.Map`` objects; they never
query. Payloads stay small: only cells with data are sent, coordinates are rounded to 5 decimals (≈1 m),
and the hexagons travel as one compact integer array drawn on a canvas by a few lines of JavaScript
(≈85 bytes per cell instead of ≈250 as GeoJSON), so 10,000 cells stay under 1 MB. Every text that reaches
the map is escaped; values in tooltips are numbers. The hex layer's template interpolates only numbers
(``rows_json``, ``template_json``) and ``|tojson`` values; its unit is set with ``textContent``; its layer
name is HTML in the layer control and goes through ``esc``. Titles and notes go through ``Legend``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

import folium
import h3
import numpy as np
import pandas as pd
from branca.element import MacroElement, Template
from folium import plugins
from folium.map import Layer

from geo.i18n import N_, _, format_number
from geo.render.area_draw import add_area_tool
from geo.render.base import Legend, add_zones, base_map, esc, safe_colour

#: Sequential colour ramp (ColorBrewer YlOrRd, 6 classes), low → high.
RAMP: tuple[str, ...] = ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026")

#: Heat-map gradient (stop → colour) and the legend drawn from it.
HEAT_GRADIENT: dict[float, str] = {0.2: "#2c7bb6", 0.45: "#abd9e9", 0.65: "#ffffbf", 0.85: "#fdae61", 1.0: "#d7191c"}

#: Fixed-point scale of the compact hexagon encoding (1e-5 degree ≈ 1.1 m).
SCALE = 100_000

_HEX_LAYER = """
{% macro script(this, kwargs) %}
var {{ this.get_name() }} = (function() {
    var colours = {{ this.colours|tojson }};
    var tmpl = {{ this.template_json }};
    var rows = {{ this.rows_json }};
    var unit = {{ this.unit|tojson }};
    var group = L.featureGroup();
    for (var i = 0; i < rows.length; i++) {
        var r = rows[i], lat = r[2], lon = r[3], pts = [];
        for (var j = 4; j + 1 < r.length; j += 2) {
            pts.push([(lat + tmpl[j - 4] + r[j]) / {{ this.scale }},
                      (lon + tmpl[j - 3] + r[j + 1]) / {{ this.scale }}]);
        }
        var p = L.polygon(pts, {color: '#5b5b5b', weight: 0.4, opacity: 0.8,
                                fillColor: colours[r[0]], fillOpacity: 0.72});
        p.atlasValue = r[1];
        p.addTo(group);
    }
    group.bindTooltip(function (layer) {
        var v = Number(layer.atlasValue);
        var el = document.createElement('span');
        el.textContent = v.toLocaleString(undefined, {maximumFractionDigits: 1}) + ' ' + unit;
        return el;
    }, {sticky: true});
    return group;
})();
{% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
{% endmacro %}
"""


class HexLayer(Layer):
    """H3 hexagons as one compact array drawn on a canvas.

    ``rows`` are [class, value, lat0, lon0, then per vertex (dlat, dlon)] in 1e-5 degrees, where each vertex is
    centre + ``template`` offset + the row's own small correction (neighbouring hexagons share their shape, so
    corrections are mostly 0 or ±1 and the payload stays ≈50 bytes per cell). Only numbers are embedded.
    """

    def __init__(
        self,
        rows: list[list[float | int]],
        template: list[int],
        colours: Sequence[str],
        unit: str,
        name: str = N_("H3 cells"),
        show: bool = True,
    ):
        super().__init__(name=esc(_(name)), overlay=True, control=True, show=show)  # layer control: HTML
        self._name = "HexLayer"
        self._template = Template(_HEX_LAYER)
        # raw into the script, so numbers only (json.dumps of ints and floats cannot break out)
        self.rows_json = json.dumps([[float(v) if isinstance(v, float) else int(v) for v in r] for r in rows],
                                    separators=(",", ":"))
        self.template_json = json.dumps([int(v) for v in template], separators=(",", ":"))
        self.colours = [safe_colour(c) for c in colours]
        self.unit = unit  # inserted with textContent, never as HTML
        self.scale = SCALE


class _Highlight(MacroElement):
    """An outline drawn around one selected cell (no tooltip, no click handling)."""

    _template = Template("""
{% macro script(this, kwargs) %}
L.polygon({{ this.points|tojson }}, {color: '#1a1a1a', weight: 3, fill: false, interactive: false})
    .addTo({{ this._parent.get_name() }});
{% endmacro %}
""")

    def __init__(self, points: list[list[float]]):
        super().__init__()
        self._name = "Highlight"
        self.points = points


def class_breaks(values: Sequence[float] | pd.Series, k: int = len(RAMP)) -> list[float]:
    """Upper bounds of up to ``k`` quantile classes, rounded to 2 significant digits, strictly increasing.

    The last bound is the maximum value, so every value falls in a class. Empty input gives [].
    """
    arr = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype="float64")
    if arr.size == 0:
        return []
    top = float(arr.max())
    bounds: list[float] = []
    for q in np.linspace(0, 1, k + 1)[1:-1]:
        b = _round_sig(float(np.quantile(arr, q)))
        if b > 0 and (not bounds or b > bounds[-1]) and b < top:
            bounds.append(b)
    bounds.append(top)
    return bounds


def _round_sig(x: float, digits: int = 2) -> float:
    if x == 0 or not math.isfinite(x):
        return 0.0
    return round(x, -int(math.floor(math.log10(abs(x)))) + digits - 1)


def class_of(value: float, bounds: Sequence[float]) -> int:
    """Index of the class (0-based) whose upper bound is the first ≥ ``value``."""
    for i, b in enumerate(bounds):
        if value <= b:
            return i
    return max(len(bounds) - 1, 0)


def _fmt(x: float) -> str:
    """A readable number: thousands separators for large values, two significant digits for small ones."""
    if abs(x) >= 10:
        return format_number(round(x), decimals=0)
    if abs(x) >= 1 or x == 0:
        return format_number(x, decimals=1)
    return f"{x:.2g}"


def legend_items(bounds: Sequence[float], colours: Sequence[str] = RAMP) -> list[tuple[str, str]]:
    """(colour, "low – high") legend rows for class ``bounds``."""
    items = []
    lower = 0.0
    ramp = _ramp_for(len(bounds), colours)
    for colour, upper in zip(ramp, bounds, strict=True):
        items.append((colour, f"{_fmt(lower)} – {_fmt(upper)}"))
        lower = upper
    return items


def _ramp_for(n: int, colours: Sequence[str] = RAMP) -> list[str]:
    if n <= 0:
        return []
    if n >= len(colours):
        return list(colours)
    idx = np.linspace(0, len(colours) - 1, n).round().astype(int)
    return [colours[i] for i in idx]


def hex_rows(
    cells: pd.DataFrame, value: str, bounds: Sequence[float]
) -> tuple[list[int], list[list[float | int]]]:
    """Compact ``HexLayer`` data: (vertex-offset template, rows) in 1e-5 degrees; see ``HexLayer``.

    Decoding row ``r``: vertex i = (r[2] + template[2i] + r[4+2i], r[3] + template[2i+1] + r[5+2i]) / SCALE,
    which reproduces the H3 boundary rounded to 5 decimals exactly.
    """
    raw: list[tuple[int, float, int, int, list[int]]] = []
    for rec in cells[["cell", value]].to_dict("records"):
        cell = format(int(rec["cell"]), "x")
        lat0, lon0 = h3.cell_to_latlng(cell)
        ilat, ilon = round(lat0 * SCALE), round(lon0 * SCALE)
        offsets: list[int] = []
        for lat, lon in h3.cell_to_boundary(cell):
            offsets.extend((round(lat * SCALE) - ilat, round(lon * SCALE) - ilon))
        raw.append((class_of(float(rec[value]), bounds), round(float(rec[value]), 1), ilat, ilon, offsets))
    if not raw:
        return [], []
    width = max(len(r[4]) for r in raw)
    template = [int(v) for v in np.median(np.array([r[4] for r in raw if len(r[4]) == width]), axis=0).round()]
    rows: list[list[float | int]] = []
    for k, v, ilat, ilon, offsets in raw:
        rows.append([k, v, ilat, ilon, *(o - t for o, t in zip(offsets, template, strict=False))])
    return template, rows


def _start(zones_geojson: str | None) -> folium.Map:
    """A base map with the zones underneath, so data layers drawn later get the hover and tooltips."""
    m = base_map()
    if zones_geojson:
        add_zones(m, zones_geojson)  # add_zones escapes the names
    return m


def _finish(
    m: folium.Map, legend: Legend, selected: Sequence[int] = (), *, draw_tool: bool = False,
    area: Sequence[Sequence[float]] = (),
) -> folium.Map:
    for cell in selected:
        boundary = h3.cell_to_boundary(format(int(cell), "x"))
        _Highlight([[round(lat, 5), round(lon, 5)] for lat, lon in boundary]).add_to(m)
    legend.add_to(m)
    if draw_tool:
        add_area_tool(m, area)
    folium.LayerControl(collapsed=True).add_to(m)
    return m


def heat_map(
    cells: pd.DataFrame,
    zones_geojson: str | None = None,
    *,
    value: str = "present",
    title: str = N_("People present (per hour, average)"),
    note: str = "",
    selected: Sequence[int] = (),
    draw_tool: bool = False,
    area: Sequence[Sequence[float]] = (),
) -> folium.Map:
    """A heat map of ``value`` per cell centre (lat, lon), zones as context, a legend and a layer control.

    Intensity is ``value`` divided by its 95th percentile and capped at 1, so one very busy cell does not
    wash out the rest of the city; the legend shows the values each colour stands for.
    """
    m = _start(zones_geojson)
    scale = heat_scale(cells[value]) if not cells.empty else 0.0
    if scale > 0:
        data = [
            [round(float(r["lat"]), 5), round(float(r["lon"]), 5), round(min(float(r[value]) / scale, 1.0), 3)]
            for r in cells[["lat", "lon", value]].to_dict("records")
        ]
        plugins.HeatMap(
            data, name=esc(_("Presence heat map")), min_opacity=0.25, max_zoom=15, radius=18, blur=14,
            gradient={str(k): v for k, v in HEAT_GRADIENT.items()},
        ).add_to(m)
    stops = list(HEAT_GRADIENT.items())
    items = [(colour, f"≈ {_fmt(stop * scale)}") for stop, colour in stops[:-1]]
    items.append((stops[-1][1], f"≥ {_fmt(scale)}"))
    items = items if scale > 0 else []
    legend = Legend(_(title), items or [("#cccccc", _("No data for this selection"))],  # trusted-text: Legend escapes
                    note=note)
    return _finish(m, legend, selected, draw_tool=draw_tool, area=area)


def choropleth_map(
    cells: pd.DataFrame,
    zones_geojson: str | None = None,
    *,
    value: str = "present",
    title: str = N_("People present per H3 cell (per hour, average)"),
    unit: str = N_("people present (avg per hour)"),
    note: str = "",
    selected: Sequence[int] = (),
    draw_tool: bool = False,
    area: Sequence[Sequence[float]] = (),
) -> folium.Map:
    """H3 hexagons coloured by quantile classes of ``value`` with a class-break legend and layer control.

    ``draw_tool`` and ``area``: the drawn-area tool, as in ``heat_map``.
    """
    m = _start(zones_geojson)
    data = cells[cells[value] > 0] if not cells.empty else cells
    bounds = class_breaks(data[value]) if not data.empty else []
    if bounds:
        colours = _ramp_for(len(bounds))
        template, rows = hex_rows(data, value, bounds)
        HexLayer(rows, template, colours, _(unit), name=_("H3 cells ({n})").format(n=format_number(len(data)))
                 ).add_to(m)
    items = legend_items(bounds) if bounds else [("#cccccc", _("No data for this selection"))]
    return _finish(m, Legend(_(title), items, note=note), selected,  # trusted-text: Legend escapes
                   draw_tool=draw_tool, area=area)


def heat_scale(values: Sequence[float] | pd.Series) -> float:
    """The value shown at full heat-map intensity: the 95th percentile of positive values (0 when none)."""
    arr = np.asarray(pd.Series(values, dtype="float64").dropna(), dtype="float64")
    arr = arr[arr > 0]
    return float(np.quantile(arr, 0.95)) if arr.size else 0.0


def payload_bytes(m: folium.Map) -> int:
    """Size in bytes of the HTML/JS a map sends (shared Leaflet assets are served once, not counted)."""
    return len(m.get_root().render().encode("utf-8"))
