"""The drawn-area tool: Leaflet.draw's rectangle and polygon tools on a map, with the current area drawn in it.

``add_area_tool(m, ring)`` adds a toolbar with only the polygon and rectangle tools (no markers, circles or
lines) and edit/delete, served offline from ``static/draw/`` (``geo.render.assets``). The area already chosen
(``ring``: (lon, lat) corners, e.g. read back from a link) is drawn inside the tool's layer group, so it can be
edited or deleted like a fresh drawing, and the map fits it. A new drawing replaces the previous one: the atlas
has one area at a time.

``streamlit-folium`` reports the group's shapes as ``all_drawings`` (``window.drawnItems``) after every draw,
edit or delete: ``[]`` once the area is deleted, one polygon feature otherwise. Only numbers reach the script
(``|tojson`` of rounded floats and a constant style); the toolbar's texts are Leaflet.draw's own.

While a tool is active (drawing, editing, deleting) the map's own ``click`` events are held back: a vertex
click would otherwise also reach streamlit-folium's ``last_clicked`` (the density page's drill-down), whose
rerun redraws the map and loses the shape half drawn.

The drawn outline is not interactive: with ``prefer_canvas`` every vector shares one canvas, and an
interactive area would swallow the hover tooltips and clicks of the cells and zones underneath it (the
density map's drill-down still works inside the area). Delete it with the toolbar's "Clear All" or the page's
"Clear area" button.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import folium
from branca.element import MacroElement
from folium import plugins
from folium.elements import JSCSSMixin
from folium.template import Template

from geo.render.assets import use_local_assets

#: Outline of a drawn area (a constant: it reaches the script through |tojson).
AREA_STYLE = {"color": "#6a3d9a", "weight": 3, "opacity": 0.9, "dashArray": "7 5", "fill": True,
              "fillColor": "#6a3d9a", "fillOpacity": 0.07, "interactive": False}

_TEMPLATE = """
{% macro script(this, kwargs) %}
(function() {
    var map = {{ this._parent.get_name() }};
    var style = {{ this.style|tojson }};
    var ring = {{ this.ring|tojson }};
    var items = new L.FeatureGroup().addTo(map);
    // streamlit-folium reports window.drawnItems' shapes as all_drawings after each draw, edit or delete.
    window.drawnItems = items;
    if (ring.length >= 3) {
        var shape = L.polygon(ring, style);
        items.addLayer(shape);
        map.fitBounds(shape.getBounds(), {padding: [30, 30], maxZoom: 15});
    }
    var shapeOptions = {color: style.color, weight: style.weight, opacity: style.opacity,
                        fillColor: style.fillColor, fillOpacity: 0.12};
    var control = new L.Control.Draw({
        position: 'topleft',
        draw: {polyline: false, circle: false, circlemarker: false, marker: false,
               polygon: {allowIntersection: false, showArea: false, shapeOptions: shapeOptions},
               rectangle: {shapeOptions: shapeOptions}},
        edit: {featureGroup: items, edit: true, remove: true}
    });
    map.addControl(control);
    // While a tool is active the map's clicks belong to it: keep them from streamlit-folium's last_clicked, whose
    // rerun would redraw the map and drop the shape being drawn. The click that ends a rectangle comes just after
    // the stop event, so the guard lifts a moment later.
    var busy = false, release = null;
    map.on('draw:drawstart draw:editstart draw:deletestart', function () {
        if (release) { clearTimeout(release); release = null; }
        busy = true;
    });
    map.on('draw:drawstop draw:editstop draw:deletestop', function () {
        release = setTimeout(function () { busy = false; release = null; }, 400);
    });
    var fire = map.fire;
    map.fire = function (type) {
        if (busy && type === 'click') { return this; }
        return fire.apply(this, arguments);
    };
    // One area at a time: a new drawing replaces the previous one (this runs before streamlit-folium's handler).
    map.on(L.Draw.Event.CREATED, function (e) {
        items.clearLayers();
        items.addLayer(e.layer);
    });
})();
{% endmacro %}
"""


class AreaDrawTool(JSCSSMixin, MacroElement):
    """Leaflet.draw with the polygon and rectangle tools, edit and delete, holding the current area (if any).

    ``ring``: the area's (lon, lat) corners (empty for none). Its JS and CSS are ``plugins.Draw``'s, which
    ``geo.render.assets.use_local_assets`` points at the app-served copies.
    """

    _template = Template(_TEMPLATE)

    def __init__(self, ring: Sequence[Sequence[float]] = ()):
        use_local_assets()  # plugins.Draw's links → the app-served copies
        super().__init__()
        self._name = "AreaDrawTool"
        corners = [(float(p[0]), float(p[1])) for p in ring]
        if not all(math.isfinite(v) for p in corners for v in p):
            corners = []
        # Leaflet wants [lat, lon]; numbers only, rounded as a link keeps them
        self.ring = [[round(lat, 5), round(lon, 5)] for lon, lat in corners]
        self.style = dict(AREA_STYLE)
        self.default_js = list(plugins.Draw.default_js)
        self.default_css = list(plugins.Draw.default_css)


def add_area_tool(m: folium.Map, ring: Sequence[Sequence[float]] = ()) -> AreaDrawTool:
    """Add the drawn-area tool to ``m`` with ``ring`` ((lon, lat) corners) as its current area; returns the tool."""
    tool = AreaDrawTool(ring)
    tool.add_to(m)
    return tool
