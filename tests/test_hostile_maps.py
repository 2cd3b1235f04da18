"""Every map builder and chart in ``geo/render`` with hostile names (issue 11), without a browser.

Each map is rendered the way the page sends it (``ui.elements.folium_payload``, i.e. ``st_folium``'s own
steps) and checked two ways:

* textually: no payload marker (`` `+alert``, ``${alert``, ``<img src=x``, ``<script>alert``) appears in the
  HTML or script, raw or JSON-escaped (``\\u003cimg``, which ``innerHTML`` would turn back into a tag);
  every ``</script>`` closes a script; the escaped forms are there (the names were drawn, not dropped);
* by running the map script in Node with Leaflet and jQuery replaced by inert stubs: no syntax error (the
  reported "missing ) after argument list") and no ``alert`` call (a template literal broken out of, or
  ``${...}`` evaluated). Skipped when ``node`` is not installed.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from typing import Any

import folium
import numpy as np
import pandas as pd
import pytest
from jinja2.utils import htmlsafe_json_dumps

from geo import vocab
from geo.render import base, capacity_maps, charts, flow_maps, place_maps, presence_maps
from tests.hostile_fixtures import EVERYTHING, HOSTILE_CATEGORY, PAYLOADS, RAW_MARKERS
from ui.elements import folium_payload

NAMES = [*PAYLOADS.values(), EVERYTHING]

#: Runs each script of a JSON list in a context of its own (each map has its own frame) where Leaflet, jQuery
#: and the DOM are inert stubs; prints the dialog calls and errors as JSON.
NODE_HARNESS = r"""
const vm = require('vm');
const scripts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const calls = [], errors = [];
function stubber() {
  const handler = {
    get(t, key) {
      if (key === Symbol.toPrimitive) return () => '';
      if (key === 'then') return undefined;
      if (Reflect.has(t, key)) return Reflect.get(t, key);
      return stub;
    },
    apply() { return stub; },
    construct() { return stub; },
  };
  const stub = new Proxy(function () {}, handler);
  return stub;
}
scripts.forEach((src, i) => {
  const ctx = vm.createContext({L: stubber(), $: stubber(), jQuery: stubber(), document: stubber(), console});
  ctx.window = ctx;
  for (const name of ['alert', 'confirm', 'prompt']) ctx[name] = (...a) => { calls.push(name + '(' + a.join(',') + ')'); };
  try { vm.runInContext(src, ctx, {filename: 'script' + i + '.js'}); }
  catch (e) { errors.push('script ' + i + ': ' + (e && e.name) + ': ' + (e && e.message)); }
});
process.stdout.write(JSON.stringify({calls, errors}));
"""


def _zones(level: str | None = None) -> str:
    """Zones named by the payloads; ``level`` (the collection member that names the map layer) when given."""
    ring = [[98.97, 18.77], [99.0, 18.77], [99.0, 18.8], [98.97, 18.77]]
    features = [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[x + i * 0.04, y] for x, y in ring]]},
         "properties": {"zone_id": f"z{i}", "name_en": name, "name_th": f"เขต {name}", "area_km2": 1.0}}
        for i, name in enumerate(NAMES)
    ]
    doc = {"type": "FeatureCollection", "features": features}
    if level is not None:
        doc["level"] = level
    return json.dumps(doc, ensure_ascii=False)


def _places(n: int = len(NAMES)) -> pd.DataFrame:
    categories = ["temple", "hotel", HOSTILE_CATEGORY, None, "market"]
    rows = [
        {"place_id": f"p{i}", "layer": "attraction", "category": categories[i % len(categories)],
         "name_en": NAMES[i % len(NAMES)], "name_th": NAMES[(i + 3) % len(NAMES)],
         "zone_name": NAMES[(i + 5) % len(NAMES)], "lat": 18.78 + i * 1e-4, "lon": 98.98 + i * 1e-4,
         "rooms": pd.NA if i % 2 else 10, "price_band": NAMES[i % len(NAMES)], "open_hour": 8, "close_hour": 17}
        for i in range(n)
    ]
    return pd.DataFrame(rows).astype({"rooms": "Int64"})


def _corridors() -> pd.DataFrame:
    rows = []
    for i, name in enumerate(NAMES):
        other = NAMES[(i + 1) % len(NAMES)]
        rows.append({"rank": i + 1, "origin": f"o{i}", "origin_name_en": name, "origin_name_th": other,
                     "origin_lon": 98.98 + i * 0.01, "origin_lat": 18.79, "destination": f"d{i}",
                     "destination_name_en": other, "destination_name_th": name, "destination_lon": 99.0,
                     "destination_lat": 18.78 + i * 0.01, "trips": 100 - i, "trips_per_day": 1.5, "share": 0.1})
    return pd.DataFrame(rows)


def _route(label: str = "straight-line (no road network imported)") -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The arguments ``route_map`` takes from a ``movement.Route``: legs, stops, label."""
    stops = pd.DataFrame([{"place_id": f"p{i}", "name_en": name, "name_th": NAMES[-1 - i], "category": HOSTILE_CATEGORY,
                           "lon": 98.98 + i * 0.01, "lat": 18.79} for i, name in enumerate(NAMES)])
    legs = pd.DataFrame([
        {"leg": i + 1, "from_id": f"p{i}", "from_name": NAMES[i], "from_name_th": "ก", "to_id": f"p{i + 1}",
         "to_name": NAMES[i + 1], "to_name_th": "ข", "distance_km": 1.0, "minutes": 2.4,
         "path": [[18.79, 98.98 + i * 0.01], [18.79, 98.99 + i * 0.01]]}
        for i in range(len(NAMES) - 1)
    ])
    return legs, stops, label


def _road_route() -> tuple[pd.DataFrame, pd.DataFrame, str, pd.DataFrame]:
    """A route on roads (every other leg a flagged straight line) with turn points on hostile street names."""
    legs, stops, _ = _route()
    legs = legs.assign(on_roads=[i % 2 == 0 for i in range(len(legs))], snap_from_m=10.0, snap_to_m=20.0,
                       note=[("" if i % 2 == 0 else f"{NAMES[i]} is more than 500 m from the nearest road")
                             for i in range(len(legs))])
    turns = pd.DataFrame([{"leg": i + 1, "lat": 18.79, "lon": 98.985 + i * 0.01, "angle": 90.0, "road": name,
                           "instruction": f"Turn right onto {name}"} for i, name in enumerate(NAMES)])
    return legs, stops, EVERYTHING, turns


def _loads() -> pd.DataFrame:
    """Road loads on streets with hostile names (``geo.services.roads.road_loads`` columns)."""
    return pd.DataFrame([
        {"rank": i + 1, "segment_id": i, "trips": 100 - i, "busier_direction": 60, "highway": name, "name": name,
         "name_th": NAMES[-1 - i], "ref": name, "length_m": 100.0,
         "geometry": json.dumps({"type": "LineString", "coordinates": [[98.98 + i * 0.01, 18.79],
                                                                      [98.99 + i * 0.01, 18.79]]})}
        for i, name in enumerate(NAMES)
    ])


def _cells() -> pd.DataFrame:
    import h3

    ids = sorted(h3.grid_disk(h3.latlng_to_cell(18.7883, 98.9853, 8), 2))
    centres = [h3.cell_to_latlng(c) for c in ids]
    return pd.DataFrame({"cell": [int(c, 16) for c in ids], "lat": [c[0] for c in centres],
                         "lon": [c[1] for c in centres], "present": [float(i + 1) for i in range(len(ids))]})


def _map_builders() -> dict[str, Callable[[], folium.Map]]:
    """Every map builder of ``geo/render`` on hostile names (and hostile titles, notes, labels, colours)."""
    zones = _zones()
    places = _places()
    selected = places.iloc[0].to_dict()
    nearby = places.iloc[1:].assign(distance_m=250.0)
    pressure = pd.DataFrame([{"zone_id": f"z{i}", "pressure": 0.9, "pressure_label": name, "colour": name,
                              "beds": 10, "overnight_per_night": 9.0} for i, name in enumerate(NAMES)])
    acc = _places().assign(beds=20, distance_m=300.0, estimated=True)
    cells = _cells()
    return {
        "places_map": lambda: place_maps.places_map(places, zones, note=EVERYTHING),
        "places_map_imported_level": lambda: place_maps.places_map(places, _zones(level=EVERYTHING)),
        "pressure_map_imported_level": lambda: capacity_maps.pressure_map(_zones(level=EVERYTHING), pressure),
        "places_result_map": lambda: place_maps.places_result_map(places, zones, selected, nearby),
        "places_result_map_clustered": lambda: place_maps.places_result_map(_places(520), zones),
        "corridor_map": lambda: flow_maps.corridor_map(_corridors(), zones, level="place"),
        "route_map": lambda: flow_maps.route_map(*_route(), zones),
        "route_map_hostile_label": lambda: flow_maps.route_map(*_route(label=EVERYTHING), zones),
        "route_map_on_roads": lambda: flow_maps.route_map(*_road_route()[:3], zones, turns=_road_route()[3]),
        "road_load_map": lambda: flow_maps.road_load_map(_loads(), zones, level="place"),
        "pressure_map": lambda: capacity_maps.pressure_map(zones, pressure, selected, 1000.0, acc,
                                                           classes=[("#123456", EVERYTHING)]),
        "heat_map": lambda: presence_maps.heat_map(cells, zones, title=EVERYTHING, note=EVERYTHING),
        "choropleth_map": lambda: presence_maps.choropleth_map(cells, zones, title=EVERYTHING, note=EVERYTHING),
    }


BUILDERS = _map_builders()


MAP_NAMES = list(BUILDERS)


@functools.cache
def _rendered(name: str) -> str:
    """The map's full HTML document (a map of its own: rendering alters a folium map)."""
    return BUILDERS[name]().get_root().render()


@functools.cache
def _sent(name: str) -> dict[str, Any]:
    """What the page sends for the map (``st_folium``'s steps, on a map of its own)."""
    return folium_payload(BUILDERS[name](), "hostile")


def _assert_no_raw_payload(text: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in text, f"{where}: raw {marker!r}"
    for marker in ("\\u003cimg", "\\u003cscript"):  # JSON-escaped tags that innerHTML would parse again
        assert marker not in text.lower(), f"{where}: JSON-escaped {marker!r}"
    assert "\\`" not in text, f"{where}: a backslash before a backtick (folium's escape or a trailing backslash)"
    assert text.count("</script>") == text.count("<script"), f"{where}: a </script> from data"


@pytest.mark.parametrize("name", MAP_NAMES)
def test_map_sends_no_raw_payload(name: str) -> None:
    rendered = _rendered(name)
    _assert_no_raw_payload(rendered, f"{name} (rendered HTML)")
    sent = _sent(name)
    for part in ("script", "html", "header"):
        _assert_no_raw_payload(sent[part], f"{name} ({part} sent to the browser)")
    # the names were drawn, escaped: HTML character references, possibly JSON-escaped once more
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered or "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in rendered
    assert "&#96;+alert(1)+&#96;" in rendered or "\\u0026#96;+alert(1)+\\u0026#96;" in rendered


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_map_scripts_run_without_syntax_errors_or_dialogs() -> None:
    scripts = [_sent(name)["script"] for name in MAP_NAMES]
    out = subprocess.run(["node", "-e", NODE_HARNESS], input=json.dumps(scripts), capture_output=True, text=True,
                         timeout=60, check=True)
    assert json.loads(out.stdout) == {"calls": [], "errors": []}, MAP_NAMES


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_harness_catches_the_reported_break() -> None:
    """The harness itself: the old ``html.escape`` tooltip runs the payload (the bug of issue 11)."""
    import html

    m = base.base_map()
    folium.CircleMarker([18.79, 98.98], tooltip=folium.Tooltip(html.escape(EVERYTHING))).add_to(m)
    out = subprocess.run(["node", "-e", NODE_HARNESS], input=json.dumps([folium_payload(m, "old")["script"]]),
                         capture_output=True,
                         text=True, timeout=60, check=True)
    assert json.loads(out.stdout)["calls"] == ["alert(1)", "alert(1)"]


def test_esc_is_the_shared_html_text_helper() -> None:
    from geo.text import html_text

    for name in NAMES:
        assert base.esc(name) == html_text(name)
    assert base.esc(None) == "" and base.esc(float("nan")) == "" and base.esc(pd.NA) == ""


def test_hex_layer_unit_is_json_text_set_with_text_content() -> None:
    """The one text sent unescaped: the hex layer's unit, a JSON string the tooltip sets with ``textContent``."""
    html = presence_maps.choropleth_map(_cells(), unit=EVERYTHING).get_root().render()
    encoded = json.dumps(EVERYTHING, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    encoded = encoded.replace("'", "\\u0027")
    assert f"var unit = {encoded};" in html
    assert "el.textContent = " in html and "+ ' ' + unit;" in html
    assert html.count("</script>") == html.count("<script")


def test_legend_escapes_title_items_and_note_and_refuses_non_hex_colours() -> None:
    legend = base.Legend(EVERYTHING, [("red;background:url(https://example.invalid/x)", EVERYTHING)], note=EVERYTHING)
    assert legend.body.count(base.esc(EVERYTHING)) == 3
    assert "url(" not in legend.body and base.NEUTRAL_COLOUR in legend.body
    assert base.safe_colour("#abc") == "#abc" and base.safe_colour(None) == base.NEUTRAL_COLOUR
    assert base.safe_colour("</script>", "#000000") == "#000000"


def test_popup_table_escapes_and_skips_missing_values() -> None:
    popup = base.popup_table(EVERYTHING, {EVERYTHING: EVERYTHING, "None": None, "NaN": float("nan"), "NA": pd.NA},
                             subtitle=EVERYTHING)
    body = next(iter(popup.html._children.values())).data
    assert body.count(base.esc(EVERYTHING)) == 4
    assert "None" not in body and "NaN" not in body and ">NA<" not in body


def test_zone_names_are_escaped_in_the_tooltip_properties() -> None:
    data = base.escaped_zones(_zones())
    assert [f["properties"]["name_en"] for f in data["features"]] == [base.esc(n) for n in NAMES]


def test_unknown_category_draws_in_a_neutral_colour_with_its_own_escaped_label() -> None:
    places = _places(10)
    html = _rendered("places_map")
    known = [c for c in vocab.CATEGORY_COLOURS if c in ("temple", "hotel", "market")]
    assert place_maps.category_order(places["category"]) == [*known, "", HOSTILE_CATEGORY]
    assert place_maps.category_colour(HOSTILE_CATEGORY) == base.NEUTRAL_COLOUR
    assert place_maps.category_label(HOSTILE_CATEGORY) == HOSTILE_CATEGORY
    assert place_maps.category_label(None) == "No category" and place_maps.category_label("temple") == "Temples"
    drawn = place_maps.add_place_layers(base.base_map(), places)
    assert drawn == [*known, "", HOSTILE_CATEGORY]
    # its layer name (layer control: HTML) and legend row are escaped
    count = int((_places()["category"] == HOSTILE_CATEGORY).sum())
    assert str(htmlsafe_json_dumps(base.esc(f"{HOSTILE_CATEGORY} ({count})"))) in html
    assert str(htmlsafe_json_dumps(base.esc(HOSTILE_CATEGORY)))[1:-1] + "\\u003c/div\\u003e" in html  # legend row


def test_pressure_map_keeps_non_hex_colours_out_of_the_style_script() -> None:
    html = _rendered("pressure_map")
    colours = set(re.findall(r'"fillColor": "([^"]*)"', html))
    assert colours and all(re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", c) for c in colours), colours
    assert '"fillColor": "#bdbdbd"' in html  # every hostile colour fell back to the no-beds grey


# --- Altair: texts from data are data; check they never become field names, expressions or HTML -----------------


def _strings(spec: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Every (path, string) in a Vega-Lite spec, keys included (a key's path ends with '<key>')."""
    found: list[tuple[tuple, str]] = []
    if isinstance(spec, dict):
        for k, v in spec.items():
            found.append(((*path, "<key>"), str(k)))
            found.extend(_strings(v, (*path, k)))
    elif isinstance(spec, list):
        for i, v in enumerate(spec):
            found.extend(_strings(v, (*path, i)))
    elif isinstance(spec, str):
        found.append((path, spec))
    return found


def _charts() -> dict[str, Any]:
    months = pd.date_range("2025-01-01", periods=3, freq="MS")
    seasonal = pd.DataFrame({"visitor_type": ["overnight", EVERYTHING, "resident"], "month_start": months,
                             "avg_daily_visitors": [10.0, 20.0, 5.0], "days_with_data": [31, 28, 31]})
    festivals = pd.DataFrame({"start": [pd.Timestamp("2025-02-01")], "end": [pd.Timestamp("2025-02-03")],
                              "name": [EVERYTHING], "applies_to": [EVERYTHING]})
    hours = pd.DataFrame({"hour": np.arange(24), "present": np.arange(24, dtype=float)})
    origins = pd.DataFrame({"origin": NAMES, "visitors": range(len(NAMES)), "share": 0.1, "segment_group": "domestic"})
    beds = pd.DataFrame({"name_en": NAMES, "beds": 10, "overnight_per_night": 5.0})
    weekday = pd.DataFrame({"day": NAMES, "visits": 1})
    return {
        "seasonality": charts.seasonality_chart(seasonal, festivals, date(2025, 1, 1), date(2025, 3, 31)),
        "hour": charts.hour_chart(hours, f"{EVERYTHING}: people present by hour (average day)", (8, 17)),
        "origins": charts.origin_chart(origins),
        "supply_demand": charts.supply_demand_chart(beds),
        "visits": charts.visits_bar_chart(weekday, "day", "Weekday", "Visits by weekday", sort=tuple(NAMES)),
    }


@pytest.mark.parametrize("name", list(_charts()))
def test_chart_texts_from_data_stay_data(name: str) -> None:
    """Hostile names only as data values (datasets, a sort order) or a plain title string: text to Vega.

    Streamlit draws Vega-Lite with vega-embed's expression interpreter (``ast: true``, no ``eval``) and
    vega-tooltip, which HTML-escapes every value; a title string is drawn as text.
    """
    spec = _charts()[name].to_dict()
    hits = [(path, text) for path, text in _strings(spec) if any(m in text for m in (*RAW_MARKERS, "example.invalid"))]
    assert hits, "the hostile names should be in the chart"
    for path, text in hits:
        assert path[-1] != "<key>", f"a name became a key: {path}"
        allowed = path[0] == "datasets" or "sort" in path or path[-1] == "title" or path[-2:] == ("title", "text")
        assert allowed, f"a name reached {path}: {text[:60]}"
        assert "field" not in path and "expr" not in path and "signal" not in path and "calculate" not in path
