"""Map builders of the flows, capacity and places pages: escaped text, legends, layer controls, class breaks."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from geo import vocab
from geo.render import capacity_maps, flow_maps, place_maps

EVIL = "<script>alert(1)</script>"
ZONES = json.dumps({"type": "FeatureCollection", "features": [{
    "type": "Feature",
    "geometry": {"type": "Polygon", "coordinates": [[[98.97, 18.77], [99.0, 18.77], [99.0, 18.8], [98.97, 18.77]]]},
    "properties": {"zone_id": "west", "name_en": EVIL, "name_th": "ตะวันตก", "area_km2": 1.0},
}]})


def _html(m) -> str:
    return m.get_root().render()


def _corridors() -> pd.DataFrame:
    return pd.DataFrame([
        {"rank": 1, "origin": "a", "origin_name_en": EVIL, "origin_name_th": "ก", "origin_lon": 98.98, "origin_lat": 18.79,
         "destination": "b", "destination_name_en": "B & co", "destination_name_th": "ข", "destination_lon": 99.0,
         "destination_lat": 18.78, "trips": 100, "trips_per_day": 10.0, "share": 0.8},
        {"rank": 2, "origin": "b", "origin_name_en": "B & co", "origin_name_th": "ข", "origin_lon": 99.0,
         "origin_lat": 18.78, "destination": "a", "destination_name_en": EVIL, "destination_name_th": "ก",
         "destination_lon": 98.98, "destination_lat": 18.79, "trips": 25, "trips_per_day": 2.5, "share": 0.2},
    ])


def test_corridor_map_escapes_names_and_has_legend_and_layers() -> None:
    html = _html(flow_maps.corridor_map(_corridors(), ZONES))
    assert EVIL not in html and "&lt;script&gt;" in html
    assert "atlas-legend" in html and "L.control.layers" in html
    # five equal classes between 25 and 100 trips; the widest line is the busiest corridor
    assert "85\\u2013100 trips" in html or "85–100 trips" in html
    assert '"weight": 12.0' in html and '"weight": 2.0' in html


def test_corridor_classes_span_min_to_max() -> None:
    classes = flow_maps.corridor_classes([10, 20, 60])
    assert classes[0][0] == 10 and classes[-1][1] == 60 and len(classes) == len(flow_maps.CORRIDOR_COLOURS)
    assert flow_maps.corridor_classes([5, 5]) == [(5.0, 5.0)]
    assert flow_maps.corridor_classes([]) == []


def test_pressure_map_colours_zones_and_escapes() -> None:
    pressure = pd.DataFrame([{"zone_id": "west", "pressure": 0.9, "pressure_label": "High (0.80–0.99)",
                              "colour": "#fc8d59", "beds": 10, "overnight_per_night": 9.0}])
    acc = pd.DataFrame([{"place_id": "acc-x", "category": "hotel", "name_en": EVIL, "name_th": "โรงแรม", "lon": 98.99,
                         "lat": 18.785, "zone_id": "west", "rooms": 5, "beds": 10, "price_band": "mid",
                         "estimated": True, "distance_m": 500.0}])
    place = {"place_id": "att-x", "name_en": "Temple <i>", "name_th": "วัด", "lon": 98.985, "lat": 18.788}
    html = _html(capacity_maps.pressure_map(ZONES, pressure, place, 1000.0, acc))
    assert EVIL not in html and "Temple <i>" not in html
    assert "#fc8d59" in html and html.count("atlas-legend") == 2
    assert '"radius": 1000.0' in html and "1.0 km around Temple &lt;i&gt;" in html
    assert r'"Catchment of Temple \u0026lt;i\u0026gt; (1 accommodations)"' in html  # layer control: escaped
    for _, _, label, colour in vocab.PRESSURE_CLASSES:
        assert colour in html and label.split(" ")[0] in html


def test_pressure_map_without_demand_draws_grey_zones() -> None:
    html = _html(capacity_maps.pressure_map(ZONES, pd.DataFrame(columns=["zone_id", "pressure", "colour"])))
    assert vocab.NO_BEDS[2] in html
    assert "Catchment of" not in html and html.count("atlas-legend") == 1  # no place: no catchment layer


def test_pressure_map_draws_a_catchment_without_accommodation() -> None:
    place = {"place_id": "att-x", "name_en": "Temple", "name_th": "วัด", "lon": 98.985, "lat": 18.788}
    html = _html(capacity_maps.pressure_map(ZONES, pd.DataFrame(columns=["zone_id", "pressure", "colour"]), place,
                                            radius_m=500))
    assert "Catchment of Temple (0 accommodations)" in html and '"radius": 500.0' in html


def test_route_map_labels_straight_lines() -> None:
    legs = pd.DataFrame([{"leg": 1, "from_id": "a", "from_name": EVIL, "from_name_th": "ก", "to_id": "b",
                          "to_name": "B", "to_name_th": "ข", "distance_km": 1.5, "minutes": 3.6,
                          "path": [[18.79, 98.98], [18.78, 99.0]]}])
    stops = pd.DataFrame([{"place_id": "a", "name_en": EVIL, "name_th": "ก", "category": "temple", "lon": 98.98, "lat": 18.79},
                          {"place_id": "b", "name_en": "B", "name_th": "ข", "category": "temple", "lon": 99.0, "lat": 18.78}])
    html = _html(flow_maps.route_map(legs, stops, "straight-line (no road network imported)", ZONES))
    assert EVIL not in html and "straight-line (no road network imported)" in html
    assert '"Stops (2)"' in html and r'"Route \u2014 straight-line (no road network imported)"' in html


@pytest.mark.parametrize("n", [3, 600])
def test_places_result_map_clusters_above_budget(n) -> None:
    results = pd.DataFrame([{"place_id": f"p{i}", "layer": "attraction", "category": "temple", "name_en": f"{EVIL}{i}",
                             "name_th": "วัด", "lat": 18.7 + i * 1e-4, "lon": 98.9 + i * 1e-4} for i in range(n)])
    html = _html(place_maps.places_result_map(results, ZONES, results.iloc[0].to_dict(), results.head(2).assign(distance_m=1.0)))
    assert EVIL not in html
    assert ("markerClusterGroup" in html) == (n > 500)


TEMPLATE_BREAKERS = "`+alert(1)+` ${alert(1)} \"' \\"


def test_places_result_map_draws_an_unknown_category_in_a_neutral_colour() -> None:
    results = pd.DataFrame([
        {"place_id": "p0", "layer": "attraction", "category": "temple", "name_en": "Wat", "name_th": "วัด",
         "lat": 18.79, "lon": 98.98},
        {"place_id": "p1", "layer": "attraction", "category": f"imported {EVIL} {TEMPLATE_BREAKERS}",
         "name_en": TEMPLATE_BREAKERS, "name_th": "ก", "lat": 18.791, "lon": 98.981},
    ])
    html = _html(place_maps.places_result_map(results, ZONES, results.iloc[1].to_dict(),
                                              results.head(1).assign(distance_m=150.0)))
    assert EVIL not in html and "`+alert" not in html and "${alert" not in html
    assert "imported &lt;script&gt;" in html.replace("\\u0026", "&")  # its own label, escaped
    assert '"fillColor": "#999999"' in html  # the neutral colour


def test_flow_maps_escape_template_literal_payloads() -> None:
    corridors = _corridors().assign(origin_name_en=TEMPLATE_BREAKERS)
    legs = pd.DataFrame([{"leg": 1, "from_id": "a", "from_name": TEMPLATE_BREAKERS, "from_name_th": "ก", "to_id": "b",
                          "to_name": "B", "to_name_th": "ข", "distance_km": 1.5, "minutes": 3.6,
                          "path": [[18.79, 98.98], [18.78, 99.0]]}])
    stops = pd.DataFrame([{"place_id": "a", "name_en": TEMPLATE_BREAKERS, "name_th": TEMPLATE_BREAKERS,
                           "category": "temple", "lon": 98.98, "lat": 18.79},
                          {"place_id": "b", "name_en": "B", "name_th": "ข", "category": "temple", "lon": 99.0,
                           "lat": 18.78}])
    for m in (flow_maps.corridor_map(corridors, ZONES),
              flow_maps.route_map(legs, stops, TEMPLATE_BREAKERS, ZONES)):
        html = _html(m)
        assert "`+alert" not in html and "${alert" not in html and "\\`" not in html
        assert "&#96;+alert(1)+&#96; &#36;{alert(1)} &quot;&#x27; &#92;" in html
