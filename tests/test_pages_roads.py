"""Flows and routes with an imported road network (AppTest): road load map and streets, itinerary on roads with
best order and a day plan, labels on roads vs straight line, and the route's GPX and GeoJSON exports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from bench.roads import write_grid
from geo.db import connect
from geo.ingest.run import ImportOptions, import_file
from geo.render import export
from geo.services import movement
from geo.settings import ROOT
from tests.flow_fixtures import build_flows_db
from tests.markdown_helpers import shown

TIMEOUT = 90
CITY = "att-wat-phra-singh,att-night-bazaar,att-tha-phae-gate,att-wat-chedi-luang"


@pytest.fixture(scope="module")
def roads_db(tmp_path_factory) -> Path:
    """Real seed, four weeks of synthetic flows and a 7 km grid of streets round the old city."""
    tmp = tmp_path_factory.mktemp("pages_roads")
    db = build_flows_db(tmp / "atlas.duckdb")
    write_grid(tmp / "city.osm.pbf", 60, spacing_m=120)
    import_file(tmp / "city.osm.pbf", ImportOptions(layer="roads", attribution="generated test grid"), db)
    return db


@pytest.fixture
def roads_env(roads_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATLAS_DB", str(roads_db))
    return roads_db


def _page(**query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "views" / "flows.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_road_load_section_follows_the_filters(roads_env) -> None:
    at = _page()
    _ok(at)
    m = _metrics(at)
    assert int(m["Trips routed on roads"].replace(",", "")) > 0
    assert "Road load" in [s.value for s in at.subheader]
    streets = next(df.value for df in at.dataframe if "street" in df.value.columns)
    assert len(streets) > 0 and streets["peak_trips"].is_monotonic_decreasing
    at.sidebar.multiselect(key="f_segments").set_value(["international"]).run()
    _ok(at)
    assert int(_metrics(at)["Trips routed on roads"].replace(",", "")) < int(m["Trips routed on roads"].replace(",", ""))
    at.radio(key="fl_level").set_value("place").run()
    _ok(at)
    assert any("places" in shown(c.value) for c in at.caption)


def test_itinerary_on_roads_best_order_and_day_plan(roads_env) -> None:
    at = _page(route=CITY)
    _ok(at)
    legs = next(df.value for df in at.dataframe if "on_roads" in df.value.columns)
    assert legs["on_roads"].all() and (legs["snap_from_m"] <= 85).all()
    assert "imported" in " ".join(shown(c.value) for c in at.caption)
    as_chosen = float(_metrics(at)["Driving time"].split()[0])
    at.radio(key="fl_order").set_value("best").run()
    at.radio(key="fl_tour").set_value("closed").run()
    at.selectbox(key="fl_day").set_value(4).run()
    _ok(at)
    m = _metrics(at)
    assert shown(m["Order"]) == "Best order (exact)" and m["Legs"] == "4"
    assert at.query_params["order"] == "best" and at.query_params["tour"] == "closed" and at.query_params["day"] == "4"
    day_plan = next(df.value for df in at.dataframe if "depart" in df.value.columns)
    assert day_plan["day"].max() >= 1 and day_plan["note"].iloc[-1] == "back at the start"
    assert as_chosen > 0


def test_far_place_is_a_flagged_straight_leg(roads_env) -> None:
    at = _page(route="att-wat-phra-singh,att-doi-suthep-pui-np")
    _ok(at)
    warning = " ".join(shown(w.value) for w in at.warning)
    assert "straight lines" in warning and "more than 500 m from the nearest road" in warning


def test_route_exports_as_gpx_and_geojson(roads_db: Path) -> None:
    con = connect(roads_db, read_only=True)
    try:
        route = movement.plan_route(con, CITY.split(","), speed_kmh=25, order="best")
    finally:
        con.close()
    gpx = ET.fromstring(export.route_gpx(route.legs, route.stops))
    ns = {"g": "http://www.topografix.com/GPX/1/1"}
    assert len(gpx.findall("g:wpt", ns)) == 4 and len(gpx.findall("g:trk", ns)) == 3
    points = gpx.findall("g:trk/g:trkseg/g:trkpt", ns)
    assert len(points) == sum(len(p) for p in route.legs["path"])
    doc = json.loads(export.route_geojson(route.legs, route.stops))
    kinds = [f["properties"]["kind"] for f in doc["features"]]
    assert kinds == ["stop"] * 4 + ["leg"] * 3
    assert doc["features"][4]["properties"]["on_roads"] is True
    hostile = route.stops.assign(name_en='<b>"x"</b> & \x01')
    assert b"&lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; " in export.route_gpx(route.legs, hostile)
