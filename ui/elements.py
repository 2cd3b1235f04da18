"""Turn Folium maps and Altair charts into what the browser receives, and send it (no caching here).

A rerun of a page used to rebuild and re-render every map and chart even when nothing they show had
changed: folium's Jinja rendering plus ``st_folium``'s script generation cost 100–400 ms per map, an
Altair ``to_dict`` with schema validation 10–80 ms per chart. ``ui.state`` caches the *output* of the two
functions below per builder and inputs, and these send the cached output:

* ``folium_payload`` does exactly what ``streamlit_folium.st_folium`` (0.27) does to a ``folium.Map``
  before it calls its component — render, strip, standardise the Leaflet script, collect the asset
  links, hash the script into the component key — and returns those pieces as plain data.
  ``show_folium`` then calls the same component with them. Both use ``streamlit_folium``'s own helpers
  (``_get_html``, ``_get_header``, ``_get_map_string``, ``get_full_id``, ``generate_js_hash``,
  ``_component_func``); ``tests/test_elements.py`` checks that the arguments are identical to
  ``st_folium``'s for the atlas' maps, so an upgrade that changes those internals fails loudly. When the
  helpers are missing, ``HAVE_FOLIUM_INTERNALS`` is False and ``ui.state`` falls back to ``st_folium``.
* ``vega_lite_spec`` is Streamlit's own conversion of an Altair chart for ``st.altair_chart`` (datasets
  as Arrow bytes under content-hash names, the ``none`` theme); ``st.vega_lite_chart`` of that spec
  produces the same element as ``st.altair_chart`` of the chart (checked in the same test file).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import folium

try:  # streamlit-folium 0.27 helpers; see the module docstring
    import streamlit_folium as _sf
    from streamlit_folium import _get_header, _get_html, _get_map_string, generate_js_hash, get_full_id

    HAVE_FOLIUM_INTERNALS = callable(getattr(_sf, "_component_func", None))
except ImportError:  # pragma: no cover - only after an incompatible upgrade
    HAVE_FOLIUM_INTERNALS = False

try:  # Streamlit's Altair → Vega-Lite conversion used by st.altair_chart
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

    HAVE_ALTAIR_INTERNALS = True
except ImportError:  # pragma: no cover - only after an incompatible upgrade
    HAVE_ALTAIR_INTERNALS = False

#: The component's initial return value, before any interaction (``st_folium``'s ``_defaults``).
_DEFAULT_RETURN_KEYS = (
    "last_clicked",
    "last_object_clicked",
    "last_object_clicked_count",
    "last_object_clicked_tooltip",
    "last_object_clicked_popup",
    "all_drawings",
    "last_active_drawing",
    "bounds",
    "zoom",
    "last_circle_radius",
    "last_circle_polygon",
    "selected_layers",
    "selected_tags",
    "last_geocoder_result",
)


def _asset_links(fig: Any) -> tuple[list[str], list[str]]:
    """CSS and JS links of every element of the map, de-duplicated in order (as ``st_folium`` collects them)."""
    import branca.colormap
    import folium.elements

    css: list[str] = []
    js: list[str] = []

    def walk(el: Any) -> Iterable[Any]:
        if isinstance(el, branca.colormap.ColorMap):
            yield el
        if isinstance(el, folium.elements.JSCSSMixin):
            yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    for el in walk(fig):
        if isinstance(el, branca.colormap.ColorMap):
            js.insert(0, "https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js")
            js.insert(0, "https://d3js.org/d3.v4.min.js")
        css.extend(href for _, href in getattr(el, "default_css", []))
        js.extend(src for _, src in getattr(el, "default_js", []))
    return list(dict.fromkeys(css)), list(dict.fromkeys(js))


def folium_payload(m: folium.Map, key: str | None, *, return_on_hover: bool = False) -> dict[str, Any]:
    """What ``st_folium(m, key=key)`` sends for a ``folium.Map``: script, header, html, ids, links, bounds.

    Renders (and so alters) ``m``: pass a map built for this call only. Returns plain data (strings,
    lists, numbers) that can be cached and sent again with ``show_folium``.
    """
    if not isinstance(m, folium.Map):
        msg = f"folium_payload takes a folium.Map, not {type(m).__name__}"
        raise TypeError(msg)
    m.get_root().render()
    m.render()
    html = _get_html(m)
    header = _get_header(m)
    leaflet = _get_map_string(m)
    try:
        bounds = m.get_bounds()
    except AttributeError:  # pragma: no cover - a Map always has bounds
        bounds = [[None, None], [None, None]]
    css_links, js_links = _asset_links(m)
    return {
        "script": leaflet,
        "header": header,
        "html": html,
        "id": get_full_id(m),
        "hash_key": generate_js_hash(leaflet, key, return_on_hover),
        "bounds": bounds,
        "zoom": m.options.get("zoom"),
        "css_links": css_links,
        "js_links": js_links,
    }


def _bounds_to_dict(bounds: list[list[float | None]]) -> dict[str, dict[str, float | None]]:
    southwest, northeast = bounds
    return {
        "_southWest": {"lat": southwest[0], "lng": southwest[1]},
        "_northEast": {"lat": northeast[0], "lng": northeast[1]},
    }


def show_folium(
    payload: dict[str, Any],
    *,
    key: str | None,
    height: int,
    width: int | None = None,
    returned_objects: Iterable[str] | None = None,
    return_on_hover: bool = False,
    on_change: Callable[[], None] | None = None,
) -> Any:
    """Send a ``folium_payload`` to the ``st_folium`` component; returns what ``st_folium`` would return.

    ``width=None`` is ``st_folium``'s ``use_container_width=True``.
    """
    import streamlit as st

    returned = None if returned_objects is None else list(returned_objects)
    defaults_all: dict[str, Any] = dict.fromkeys(_DEFAULT_RETURN_KEYS)
    defaults_all["bounds"] = _bounds_to_dict(payload["bounds"])
    defaults_all["zoom"] = payload["zoom"]
    defaults = {k: v for k, v in defaults_all.items() if returned is None or k in returned}
    hash_key = payload["hash_key"]

    def _on_change() -> None:
        if key is not None:
            st.session_state[key] = st.session_state.get(hash_key, {})
        if on_change is not None:
            on_change()

    # Looked up on the module at call time, so a probe installed by the benchmark still sees every call.
    return _sf._component_func(
        script=payload["script"],
        header=payload["header"],
        html=payload["html"],
        id=payload["id"],
        key=hash_key,
        height=height,
        width=width,
        returned_objects=returned,
        default=defaults,
        zoom=None,
        center=None,
        feature_group=None,
        return_on_hover=return_on_hover,
        layer_control=None,
        pixelated=False,
        css_links=payload["css_links"],
        js_links=payload["js_links"],
        on_change=_on_change,
        wrap_longitude=False,
    )


def vega_lite_spec(chart: Any) -> dict[str, Any]:
    """The Vega-Lite spec ``st.altair_chart(chart)`` sends (datasets as Arrow bytes); plain, cacheable data."""
    return _convert_altair_to_vega_lite_spec(chart)
