"""Draw a page's Folium map as a PNG without tiles: the same layers, legend, a scale bar and a north arrow.

The map builders (``geo.render.*_maps``) return ``folium.Map`` objects; this module walks such a map and
draws what it holds with Matplotlib (Agg, no display, no network): zone and GeoJSON polygons with their
style function's colours, GeoJSON point layers with their circle markers, H3 hexagon layers
(``presence_maps.HexLayer``, decoded from their compact rows), heat-map points (coloured by their weight
along the heat-map gradient), polylines (corridors, route legs), circles (catchment radius, in metres),
circle markers, numbered stops, the selected-cell outline and every ``Legend`` (title, items, note).
Base-map tiles are left out (they would need the internet). The view is the map's ``fit_bounds`` when
it has one, else its centre and zoom for a 1000 × 620 pixel window, like the app's first view.

Longitude is scaled by cos(latitude) (a local equirectangular view: at Chiang Mai's 19° N the scale
bar is right to well under 1 % across a city map). Text is set in ``geo.render.fonts`` families
(Matplotlib's bundled libraqm shapes Thai) and saved with ``bbox_inches="tight"`` so upper Thai vowel
marks and the legend beside the map are not clipped.
"""

from __future__ import annotations

import html
import io
import json
import math
from collections.abc import Iterator, Sequence
from typing import Any

import folium
import numpy as np
from folium import plugins

from geo.i18n import _
from geo.render.base import Legend
from geo.render.fonts import matplotlib_families
from geo.render.presence_maps import SCALE, HexLayer

#: Leaflet's default vector style.
_LEAFLET_DEFAULT = {"color": "#3388ff", "weight": 3, "opacity": 1.0, "fillColor": "#3388ff", "fillOpacity": 0.2}
#: Matplotlib points per screen pixel (Leaflet sizes are CSS pixels at 96 dpi).
_PT = 0.75
#: Map background where tiles would be (Leaflet's own grey).
BACKGROUND = "#e8e8e8"
#: Nominal window for a map without fit_bounds (CSS pixels), like the app's map frame.
_WINDOW = (1000, 620)
_NICE_KM = (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200)


def _walk(element: Any) -> Iterator[Any]:
    for child in list(getattr(element, "_children", {}).values()):
        yield child
        yield from _walk(child)


def _style(options: dict[str, Any]) -> dict[str, Any]:
    return {**_LEAFLET_DEFAULT, **{k: v for k, v in options.items() if v is not None}}


def _rgba(colour: Any, alpha: float) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgba

    try:
        return to_rgba(str(colour), alpha=float(alpha))
    except ValueError:
        return to_rgba("#999999", alpha=float(alpha))


def _dash(options: dict[str, Any]) -> Any:
    return (0, (4, 3)) if options.get("dashArray") else "solid"


def _view(m: folium.Map) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the map's first view."""
    for child in m._children.values():
        if type(child).__name__ == "FitBounds":
            (south, west), (north, east) = (tuple(float(v) for v in corner) for corner in child.bounds)
            return _fit_window(west, south, east, north)
    lat, lon = (float(v) for v in m.location)
    zoom = float(m.options.get("zoom", 12))
    span_lon = _WINDOW[0] * 360.0 / (256.0 * 2**zoom)
    span_lat = _WINDOW[1] * 360.0 / (256.0 * 2**zoom) * math.cos(math.radians(lat))
    return lon - span_lon / 2, lat - span_lat / 2, lon + span_lon / 2, lat + span_lat / 2


def _fit_window(west: float, south: float, east: float, north: float) -> tuple[float, float, float, float]:
    """Bounds widened to the window's shape around their centre, as Leaflet's fitBounds shows them."""
    lat0 = (south + north) / 2
    cos = math.cos(math.radians(lat0))
    width, height = max((east - west) * cos, 1e-6), max(north - south, 1e-6)
    ratio = _WINDOW[0] / _WINDOW[1]
    if width / height < ratio:
        width = height * ratio
    else:
        height = width / ratio
    lon0 = (west + east) / 2
    return lon0 - width / cos / 2, lat0 - height / 2, lon0 + width / cos / 2, lat0 + height / 2


def _nice_km(width_km: float) -> float:
    target = width_km / 5
    return max([k for k in _NICE_KM if k <= target] or [_NICE_KM[0]])


def _polygon_rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [coords[0]] if coords else []
    if kind == "MultiPolygon":
        return [poly[0] for poly in coords if poly]
    return []


class _Drawer:
    """Draws the layers of one map onto one Matplotlib axes; collects legends and zone labels."""

    def __init__(self, ax: Any, label_field: str | None):
        self.ax = ax
        self.legends: list[Legend] = []
        self.labels: list[tuple[float, float, str]] = []
        self.label_field = label_field
        self.stop_number = 0
        self.markers: list[tuple[float, float, float, Any, Any, float]] = []

    def draw(self, el: Any) -> None:
        if isinstance(el, Legend):
            self.legends.append(el)
        elif isinstance(el, HexLayer):
            self.hexagons(el)
        elif isinstance(el, plugins.HeatMap):
            self.heat(el)
        elif isinstance(el, folium.GeoJson):
            self.geojson(el)
        elif isinstance(el, folium.PolyLine):
            self.polyline(el)
        elif isinstance(el, folium.Circle):
            self.circle(el)
        elif isinstance(el, folium.CircleMarker):
            self.marker(el.location, _style(el.options))
        elif isinstance(el, folium.Marker):
            self.stop(el)
        elif type(el).__name__ == "_Highlight":
            pts = np.asarray(el.points, dtype=float)
            if len(pts):
                closed = np.vstack([pts, pts[:1]])
                self.ax.plot(closed[:, 1], closed[:, 0], color="#1a1a1a", lw=2.2, zorder=6)

    def geojson(self, el: folium.GeoJson) -> None:
        from matplotlib.collections import PolyCollection

        style_fn = getattr(el, "style_function", None)
        polys, faces, edges, widths = [], [], [], []
        for feature in el.data.get("features", []):
            geometry = feature.get("geometry") or {}
            style = _style(style_fn(feature) if callable(style_fn) else {})
            if geometry.get("type") == "Point" and el.marker is not None:
                lon, lat = geometry["coordinates"][:2]
                self.marker([lat, lon], _style(el.marker.options))
                continue
            if geometry.get("type") in ("LineString", "MultiLineString"):
                lines = [geometry["coordinates"]] if geometry["type"] == "LineString" else geometry["coordinates"]
                for line in lines:
                    xy = np.asarray(line, dtype=float)
                    self.ax.plot(xy[:, 0], xy[:, 1], color=style["color"], lw=style["weight"] * _PT,
                                 alpha=style["opacity"], zorder=3)
                continue
            for ring in _polygon_rings(geometry):
                polys.append(np.asarray(ring, dtype=float)[:, :2])
                faces.append(_rgba(style["fillColor"], style["fillOpacity"] if style.get("fill", True) else 0))
                edges.append(_rgba(style["color"], style["opacity"]))
                widths.append(style["weight"] * _PT)
            props = feature.get("properties") or {}
            if self.label_field and props.get(self.label_field) and _polygon_rings(geometry):
                import shapely.geometry

                point = shapely.geometry.shape(geometry).representative_point()
                self.labels.append((point.x, point.y, html.unescape(str(props[self.label_field]))))
        if polys:
            self.ax.add_collection(PolyCollection(polys, facecolors=faces, edgecolors=edges, linewidths=widths,
                                                  zorder=1))

    def hexagons(self, el: HexLayer) -> None:
        from matplotlib.collections import PolyCollection

        template = json.loads(el.template_json)
        rows = json.loads(el.rows_json)
        polys, faces = [], []
        for r in rows:
            lat0, lon0 = r[2], r[3]
            pts = [((lon0 + template[j - 3] + r[j + 1]) / SCALE, (lat0 + template[j - 4] + r[j]) / SCALE)
                   for j in range(4, len(r) - 1, 2)]
            polys.append(pts)
            faces.append(_rgba(el.colours[int(r[0])], 0.72))
        if polys:
            self.ax.add_collection(PolyCollection(polys, facecolors=faces, edgecolors=_rgba("#5b5b5b", 0.8),
                                                  linewidths=0.3, zorder=2))

    def heat(self, el: plugins.HeatMap) -> None:
        from matplotlib.colors import LinearSegmentedColormap

        data = np.asarray(el.data, dtype=float)
        if not len(data):
            return
        gradient = el.options.get("gradient") or {"0.4": "blue", "0.65": "lime", "1": "red"}
        stops = sorted((float(k), v) for k, v in gradient.items())
        if stops[0][0] > 0:
            stops.insert(0, (0.0, stops[0][1]))
        if stops[-1][0] < 1:
            stops.append((1.0, stops[-1][1]))
        cmap = LinearSegmentedColormap.from_list("heat", stops)
        weights = data[:, 2] if data.shape[1] > 2 else np.ones(len(data))
        order = np.argsort(weights)
        self.ax.scatter(data[order, 1], data[order, 0], c=weights[order], cmap=cmap, vmin=0, vmax=1,
                        s=90, alpha=0.55, linewidths=0, zorder=2)

    def polyline(self, el: folium.PolyLine) -> None:
        style = _style(el.options)
        xy = np.asarray(el.locations, dtype=float)
        if xy.ndim == 2 and len(xy) >= 2:
            self.ax.plot(xy[:, 1], xy[:, 0], color=style["color"], lw=style["weight"] * _PT, alpha=style["opacity"],
                         linestyle=_dash(el.options), solid_capstyle="round", zorder=4)

    def circle(self, el: folium.Circle) -> None:
        style = _style(el.options)
        lat, lon = (float(v) for v in el.location)
        radius_deg = float(el.options.get("radius", 0)) / 111_195.0
        angles = np.linspace(0, 2 * np.pi, 97)
        xs = lon + radius_deg / math.cos(math.radians(lat)) * np.cos(angles)
        ys = lat + radius_deg * np.sin(angles)
        if style.get("fill"):
            self.ax.fill(xs, ys, color=_rgba(style["fillColor"], style["fillOpacity"]), zorder=3)
        self.ax.plot(xs, ys, color=style["color"], lw=style["weight"] * _PT, alpha=style["opacity"],
                     linestyle=_dash(el.options), zorder=3)

    def marker(self, location: Sequence[float], style: dict[str, Any]) -> None:
        lat, lon = (float(v) for v in location)
        size = (float(style.get("radius", 6)) * 2 * _PT) ** 2
        face = _rgba(style["fillColor"], style["fillOpacity"]) if style.get("fill", True) else (0, 0, 0, 0)
        self.markers.append((lon, lat, size, face, _rgba(style["color"], style["opacity"]), style["weight"] * _PT))

    def finish(self) -> None:
        """Draw the circle markers collected (one scatter for all: hundreds of places draw in milliseconds)."""
        if self.markers:
            lon, lat, size, face, edge, width = zip(*self.markers, strict=True)
            self.ax.scatter(lon, lat, s=size, facecolors=face, edgecolors=edge, linewidths=width, zorder=5)

    def stop(self, el: folium.Marker) -> None:
        lat, lon = (float(v) for v in el.location)
        self.stop_number += 1
        self.ax.scatter([lon], [lat], s=170, c="#1f4e79", edgecolors="white", linewidths=1.5, zorder=7)
        self.ax.text(lon, lat, str(self.stop_number), color="white", ha="center", va="center", fontsize=7,
                     fontweight="bold", zorder=8)


def _legend_handles(legend: Legend) -> tuple[list[Any], list[str]]:
    from matplotlib.lines import Line2D

    handles, labels = [], []
    for colour, label in legend.items:
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=8, markerfacecolor=_rgba(colour, 1),
                              markeredgecolor="#333333"))
        labels.append("" if label is None else str(label))
    if legend.note:
        handles.append(Line2D([], [], linestyle=""))
        labels.append(str(legend.note))
    return handles, labels


def _scale_bar(ax: Any, view: tuple[float, float, float, float], km_label: str | None) -> None:
    west, south, east, north = view
    lat0 = (south + north) / 2
    km_per_deg = 111.195 * math.cos(math.radians(lat0))
    length_km = _nice_km((east - west) * km_per_deg)
    length_deg = length_km / km_per_deg
    x0 = west + (east - west) * 0.04
    y0 = south + (north - south) * 0.05
    half = length_deg / 2
    ax.plot([x0, x0 + half], [y0, y0], color="black", lw=4, solid_capstyle="butt", zorder=9)
    ax.plot([x0 + half, x0 + length_deg], [y0, y0], color="white", lw=4, solid_capstyle="butt", zorder=9)
    ax.plot([x0, x0 + length_deg], [y0, y0], color="black", lw=0.6, zorder=10)
    for x in (x0, x0 + length_deg):
        ax.plot([x, x], [y0 - (north - south) * 0.008, y0 + (north - south) * 0.008], color="black", lw=0.8, zorder=10)
    if km_label:
        text = f"{length_km:g} {km_label}" if length_km >= 1 else f"{length_km * 1000:g} m"
    else:  # the language of the map
        text = (_("{n} km").format(n=f"{length_km:g}") if length_km >= 1
                else _("{n} m").format(n=f"{length_km * 1000:g}"))
    ax.text(x0 + length_deg / 2, y0 + (north - south) * 0.018, text, ha="center", va="bottom", fontsize=8,
            zorder=10, bbox={"boxstyle": "round,pad=0.2", "fc": (1, 1, 1, 0.8), "ec": "none"})


def _north_arrow(ax: Any) -> None:
    ax.annotate("N", xy=(0.95, 0.95), xytext=(0.95, 0.84), xycoords="axes fraction", textcoords="axes fraction",
                ha="center", va="center", fontsize=10, fontweight="bold", zorder=10,
                arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
                bbox={"boxstyle": "circle,pad=0.2", "fc": (1, 1, 1, 0.85), "ec": "none"})


def map_png(
    m: folium.Map,
    *,
    title: str = "",
    caption: Sequence[str] = (),
    label_field: str | None = "name",
    width_in: float = 9.0,
    dpi: int = 150,
    km_label: str | None = None,
) -> bytes:
    """``m`` drawn as a PNG (see the module docstring); ``title`` above, ``caption`` lines below the map.

    ``label_field`` names the zone property written at each zone's centre: ``name`` (the default) is the zone's
    name in the language the map was built in (``geo.render.base`` adds it), None for no labels. Text is set
    in the fonts of the current language (``geo.render.fonts.families``: Thai and Chinese included).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    families = matplotlib_families()
    from matplotlib import rc_context

    with rc_context({"font.family": families, "axes.unicode_minus": False}):
        view = _view(m)
        west, south, east, north = view
        lat0 = (south + north) / 2
        aspect = 1 / math.cos(math.radians(lat0))
        height_in = min(max(width_in * (north - south) * aspect / max(east - west, 1e-9), 3.0), width_in * 1.3)
        fig = Figure(figsize=(width_in, height_in), dpi=dpi)
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_facecolor(BACKGROUND)
        drawer = _Drawer(ax, label_field)
        for el in _walk(m):
            drawer.draw(el)
        drawer.finish()
        for x, y, text in drawer.labels:
            if west <= x <= east and south <= y <= north:
                ax.text(x, y, text, ha="center", va="center", fontsize=7, color="#3b2a1d", zorder=9, clip_on=True,
                        bbox={"boxstyle": "round,pad=0.15", "fc": (1, 1, 1, 0.55), "ec": "none"})
        ax.set_xlim(west, east)
        ax.set_ylim(south, north)
        ax.set_aspect(aspect)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("#666666")
        _scale_bar(ax, view, km_label)
        _north_arrow(ax)
        anchor_y = 1.0
        extra: list[Any] = []
        for legend in drawer.legends:
            handles, labels = _legend_handles(legend)
            if not handles:
                continue
            leg = ax.legend(handles, labels, title=str(legend.title or ""), loc="upper left",
                            bbox_to_anchor=(1.01, anchor_y), fontsize=8, title_fontsize=9, frameon=True,
                            alignment="left", borderaxespad=0)
            ax.add_artist(leg)
            extra.append(leg)
            fig.canvas.draw()
            box = leg.get_window_extent().transformed(ax.transAxes.inverted())
            anchor_y = box.y0 - 0.03
        if title:
            ax.set_title(title, loc="left", fontsize=12, fontweight="bold", pad=8)
        if caption:
            ax.text(0, -0.02, "\n".join(str(c) for c in caption if str(c)), transform=ax.transAxes, ha="left",
                    va="top", fontsize=8, color="#333333")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", bbox_extra_artists=extra, pad_inches=0.15,
                    facecolor="white")
    return buf.getvalue()
