"""Cached maps and charts send exactly what ``st_folium`` and ``st.altair_chart`` send (``ui.elements``, ``ui.state``).

These pin the streamlit-folium and Streamlit internals the caches rely on: after an upgrade that changes
them, these tests fail instead of the maps or charts silently changing.
"""

from __future__ import annotations

import functools
import itertools
import json
import pickle
import sys
from collections.abc import Callable
from typing import Any

import h3
import pandas as pd
import pytest
import streamlit_folium
from streamlit.testing.v1 import AppTest

from geo import vocab
from geo.render import capacity_maps, flow_maps, place_maps, presence_maps
from ui import elements, state

EVIL = "<script>alert(1)</script>"
ZONES = json.dumps({"type": "FeatureCollection", "features": [{
    "type": "Feature",
    "geometry": {"type": "Polygon", "coordinates": [[[98.97, 18.77], [99.0, 18.77], [99.0, 18.8], [98.97, 18.77]]]},
    "properties": {"zone_id": "west", "name_en": EVIL, "name_th": "ตะวันตก", "area_km2": 1.0},
}]})


def _places(n: int = 4) -> pd.DataFrame:
    return pd.DataFrame([{"place_id": f"p{i}", "layer": "attraction" if i % 2 else "accommodation",
                          "category": "temple" if i % 2 else "hotel", "name_en": f"{EVIL}{i}", "name_th": "วัด",
                          "lat": 18.78 + i * 1e-3, "lon": 98.98 + i * 1e-3, "zone_name": "West", "rooms": 10 + i,
                          "price_band": "mid", "open_hour": 8, "close_hour": 17} for i in range(n)])


def _cells() -> pd.DataFrame:
    centre = h3.latlng_to_cell(18.7883, 98.9853, 8)
    ids = sorted(h3.grid_disk(centre, 2))
    lat_lon = [h3.cell_to_latlng(c) for c in ids]
    return pd.DataFrame({"cell": [int(c, 16) for c in ids], "lat": [p[0] for p in lat_lon],
                         "lon": [p[1] for p in lat_lon], "present": [float(i) + 0.5 for i in range(len(ids))],
                         "zone_id": "west"})


def _route() -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The arguments ``route_map`` takes from a ``movement.Route``: legs, stops, label."""
    legs = pd.DataFrame([{"leg": 1, "from_name": EVIL, "to_name": "B", "distance_km": 1.5, "minutes": 3.6,
                          "path": [[18.79, 98.98], [18.78, 99.0]]}])
    stops = pd.DataFrame([{"place_id": "a", "name_en": EVIL, "name_th": "ก", "lon": 98.98, "lat": 18.79},
                          {"place_id": "b", "name_en": "B", "name_th": "ข", "lon": 99.0, "lat": 18.78}])
    return legs, stops, "straight-line (no road network imported)"


def _road_route() -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """A route with one leg on roads (turn point on a hostile street name) and one straight leg."""
    legs = pd.DataFrame([{"leg": 1, "from_name": EVIL, "to_name": "B", "distance_km": 1.5, "minutes": 3.6,
                          "path": [[18.79, 98.98], [18.79, 98.99], [18.78, 99.0]], "on_roads": True,
                          "snap_from_m": 12.0, "snap_to_m": 30.0, "note": ""},
                         {"leg": 2, "from_name": "B", "to_name": EVIL, "distance_km": 2.0, "minutes": 4.8,
                          "path": [[18.78, 99.0], [18.77, 99.01]], "on_roads": False, "snap_from_m": 30.0,
                          "snap_to_m": None, "note": f"{EVIL} is more than 500 m from the nearest road"}])
    stops = pd.DataFrame([{"place_id": "a", "name_en": EVIL, "name_th": "ก", "lon": 98.98, "lat": 18.79},
                          {"place_id": "b", "name_en": "B", "name_th": "ข", "lon": 99.0, "lat": 18.78},
                          {"place_id": "c", "name_en": EVIL, "name_th": "ค", "lon": 99.01, "lat": 18.77}])
    return legs, stops, "on roads (imported OpenStreetMap network, free-flow times)"


def _turns() -> pd.DataFrame:
    return pd.DataFrame([{"leg": 1, "lat": 18.79, "lon": 98.99, "angle": 90.0, "road": EVIL,
                          "instruction": f"Turn right onto {EVIL}"}])


def _loads() -> pd.DataFrame:
    return pd.DataFrame([
        {"rank": 1, "segment_id": 7, "trips": 120, "busier_direction": 80, "highway": "primary", "name": EVIL,
         "name_th": "ถนน", "ref": "", "length_m": 250.0,
         "geometry": '{"type":"LineString","coordinates":[[98.98,18.79],[98.99,18.79]]}'},
        {"rank": 2, "segment_id": 8, "trips": 15, "busier_direction": 15, "highway": "residential", "name": "",
         "name_th": "", "ref": "", "length_m": 120.0,
         "geometry": '{"type":"LineString","coordinates":[[98.99,18.79],[98.99,18.80]]}'},
    ])


def _catchment() -> tuple[dict[str, Any], float, pd.DataFrame]:
    """The arguments ``pressure_map`` takes from a ``capacity.Catchment``: place, radius_m, accommodation."""
    place = {"place_id": "att-x", "name_en": EVIL, "name_th": "วัด", "lon": 98.985, "lat": 18.788}
    acc = pd.DataFrame([{"place_id": "acc-x", "category": "hotel", "name_en": EVIL, "name_th": "โรงแรม", "lon": 98.99,
                         "lat": 18.785, "zone_id": "west", "rooms": 5, "beds": 10, "price_band": "mid",
                         "estimated": True, "distance_m": 500.0}])
    return place, 1000.0, acc


def _corridors() -> pd.DataFrame:
    return pd.DataFrame([
        {"rank": 1, "origin": "a", "origin_name_en": EVIL, "origin_name_th": "ก", "origin_lon": 98.98, "origin_lat": 18.79,
         "destination": "b", "destination_name_en": "B & co", "destination_name_th": "ข", "destination_lon": 99.0,
         "destination_lat": 18.78, "trips": 100, "trips_per_day": 10.0, "share": 0.8},
    ])


#: (builder, args, kwargs) for every map a page draws.
MAPS: list[tuple[Callable[..., Any], tuple, dict[str, Any]]] = [
    (place_maps.places_map, (_places(), ZONES), {"zoom": 11}),
    (place_maps.places_result_map, (_places(), ZONES, _places().iloc[0].to_dict(), _places().head(2).assign(distance_m=5.0)),
     {}),
    (capacity_maps.pressure_map, (ZONES, pd.DataFrame([{"zone_id": "west", "pressure": 0.9, "pressure_label": "High",
                                                    "colour": "#fc8d59", "beds": 10, "overnight_per_night": 9.0}])), {}),
    (capacity_maps.pressure_map, (ZONES, pd.DataFrame([{"zone_id": "west", "pressure": 0.9, "pressure_label": "High",
                                                    "colour": "#fc8d59", "beds": 10, "overnight_per_night": 9.0}]),
                                  *_catchment()), {}),
    (flow_maps.corridor_map, (_corridors(), ZONES), {"level": "zone"}),
    (flow_maps.route_map, (*_route(), ZONES), {}),
    (flow_maps.route_map, (*_road_route(), ZONES), {"turns": _turns()}),
    (flow_maps.road_load_map, (_loads(), ZONES), {"level": "zone"}),
    (presence_maps.heat_map, (_cells(), ZONES), {"note": "n", "selected": ()}),
    (presence_maps.choropleth_map, (_cells(), ZONES), {"note": "n", "selected": (int(_cells()["cell"][0]),)}),
]


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every call of the st_folium component, by keyword (the component itself needs no browser here)."""
    calls: list[dict[str, Any]] = []

    def record(**kwargs: Any) -> dict[str, Any]:
        calls.append(kwargs)
        return kwargs["default"]

    monkeypatch.setattr(streamlit_folium, "_component_func", record)
    return calls


@pytest.fixture
def same_ids(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Make folium element ids repeatable: call the returned function before each build."""
    import branca.element

    counter = itertools.count()

    def fake_urandom(n: int) -> bytes:
        return next(counter).to_bytes(n, "big")

    monkeypatch.setattr(branca.element, "urandom", fake_urandom)

    def reset() -> None:
        nonlocal counter
        counter = itertools.count()

    return reset


def test_internals_the_caches_rely_on_are_present() -> None:
    assert elements.HAVE_FOLIUM_INTERNALS, "streamlit-folium changed: ui/elements.py must follow st_folium again"
    assert elements.HAVE_ALTAIR_INTERNALS, "Streamlit changed: ui/elements.py must follow st.altair_chart again"


@pytest.mark.parametrize(("builder", "args", "kwargs"), MAPS, ids=[b.__name__ for b, _, _ in MAPS])
@pytest.mark.parametrize("returned", [[], ["last_clicked"]])
def test_cached_map_sends_what_st_folium_sends(builder, args, kwargs, returned, recorded, same_ids) -> None:
    same_ids()
    streamlit_folium.st_folium(builder(*args, **kwargs), key="k", height=500, use_container_width=True,
                               returned_objects=returned)
    same_ids()
    payload = pickle.loads(pickle.dumps(elements.folium_payload(builder(*args, **kwargs), "k")))  # as cached
    elements.show_folium(payload, key="k", height=500, width=None, returned_objects=returned)
    theirs, ours = recorded
    assert set(theirs) == set(ours)
    assert callable(theirs.pop("on_change")) and callable(ours.pop("on_change"))
    assert ours == theirs
    assert EVIL not in ours["script"] + ours["html"] + ours["header"]


def test_payload_does_not_depend_on_random_element_ids() -> None:
    builder, args, kwargs = MAPS[0]
    a = elements.folium_payload(builder(*args, **kwargs), "k")
    b = elements.folium_payload(builder(*args, **kwargs), "k")
    assert a["hash_key"] == b["hash_key"] and a["script"] == b["script"] and a["id"] == b["id"] == "map_div"


def test_folium_map_builds_once_per_distinct_input(recorded, monkeypatch) -> None:
    built: list[int] = []
    real = flow_maps.corridor_map

    @functools.wraps(real)
    def counting(corridors: pd.DataFrame, *a: Any, **k: Any) -> Any:
        built.append(len(corridors))
        return real(corridors, *a, **k)

    monkeypatch.setattr(flow_maps, "corridor_map", counting)
    state._cached_map_payload.clear()
    one = _corridors()
    two = pd.concat([one, one.assign(origin="c", trips=7)], ignore_index=True)
    for frame in (one, one.copy(), two, pickle.loads(pickle.dumps(one))):
        state.folium_map(flow_maps.corridor_map, frame, ZONES, level="zone", key="flows_map", height=560)
    assert built == [1, 2]  # equal frames hit the cache, a different frame builds again
    assert recorded[0]["script"] == recorded[1]["script"] == recorded[3]["script"] != recorded[2]["script"]
    monkeypatch.setenv("ATLAS_TILES", "none")  # a setting the builders read is part of the key
    state.folium_map(flow_maps.corridor_map, one, ZONES, level="zone", key="flows_map", height=560)
    assert built == [1, 2, 1] and "tile" not in recorded[-1]["script"].lower()


def test_only_geo_map_and_chart_builders_may_be_drawn(recorded) -> None:
    from geo.errors import AtlasError

    with pytest.raises(AtlasError):
        state.folium_map(json.loads, "{}", key="x", height=10)
    with pytest.raises(AtlasError):
        state.altair_chart(pd.DataFrame, {})


def test_frame_digest_sees_every_value_and_lists() -> None:
    big = pd.DataFrame({"a": range(60_000), "b": ["x"] * 60_000})
    changed = big.copy()
    changed.loc[12_345, "b"] = "y"  # Streamlit's default hash samples frames this large
    assert state._frame_digest(big) != state._frame_digest(changed)
    legs = _route()[0]
    assert state._frame_digest(legs) == state._frame_digest(legs.copy())
    assert state._frame_digest(legs) != state._frame_digest(legs.assign(path=[[[0.0, 0.0]]]))


def _chart_script() -> None:
    import pandas as pd
    import streamlit as st

    from geo.render import charts
    from ui import state

    df = pd.DataFrame({"hour": [8, 9, 10], "visits": [3, 1, 2], "day": ["Mon", "Tue", "Wed"]})
    season = pd.DataFrame({"month_start": pd.to_datetime(["2025-11-01", "2025-12-01"]),
                           "visitor_type": ["overnight", "day_tripper"], "avg_daily_visitors": [10.0, 4.0],
                           "days_with_data": [30, 31]})
    festivals = pd.DataFrame({"name": ["Loy Krathong <b>"], "start": pd.to_datetime(["2025-11-05"]),
                              "end": pd.to_datetime(["2025-11-07"]), "applies_to": ["all"]})
    cases = [
        (charts.visits_bar_chart, (df, "day", "Weekday", "Visits by weekday"), {"sort": ("Wed", "Mon", "Tue")}),
        (charts.seasonality_chart, (season, festivals, pd.Timestamp("2025-11-01").date(),
                                    pd.Timestamp("2025-12-31").date()), {}),
        (charts.hour_chart, (df.rename(columns={"visits": "present"}), "Hours", (9, 10)), {}),
    ]
    for builder, args, kwargs in cases:
        st.altair_chart(builder(*args, **kwargs), width="stretch")
        state.altair_chart(builder, *args, **kwargs)
        state.altair_chart(builder, *args, **kwargs)  # from the cache


def test_cached_chart_is_the_element_st_altair_chart_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    # Streamlit leaves the script as ``__main__``; restore it, or later spawned processes (the benchmark's
    # children) would re-run the generated script, which only runs inside AppTest.
    monkeypatch.setitem(sys.modules, "__main__", sys.modules["__main__"])
    at = AppTest.from_function(_chart_script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    protos = [c.proto for c in at.get("vega_lite_chart")]
    assert len(protos) == 9
    for i in range(0, 9, 3):
        assert protos[i] == protos[i + 1] == protos[i + 2]
        assert protos[i].datasets  # data travels as Arrow datasets, not inline JSON
    assert vocab.VISITOR_TYPE_COLOURS["Overnight visitors"] in protos[3].spec


def test_long_lived_heap_is_frozen_once_per_page(monkeypatch) -> None:
    frozen: list[int] = []
    monkeypatch.setattr(state.gc, "collect", lambda: 0)
    monkeypatch.setattr(state.gc, "freeze", lambda: frozen.append(1))
    monkeypatch.setattr(state, "_frozen_after", set())
    for _ in range(3):
        state.guard(lambda: None)  # every lambda here comes from this file: one "page"
    assert frozen == [1]
