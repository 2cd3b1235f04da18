"""Flows, capacity, places and data pages through AppTest: render, react to widgets, survive bad URL values."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.db import connect
from geo.services import placeinfo
from geo.settings import ROOT
from tests.flow_fixtures import build_flows_db
from tests.markdown_helpers import shown

PAGES = ("flows", "capacity", "places", "data")
TIMEOUT = 60


@pytest.fixture(scope="module")
def flows_db(tmp_path_factory) -> Path:
    """Real seed + two test hotels + four weeks of synthetic flows with part B's rollups (seconds to build)."""
    return build_flows_db(tmp_path_factory.mktemp("pages_b") / "atlas.duckdb")


@pytest.fixture
def flows_env(flows_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATLAS_DB", str(flows_db))
    return flows_db


def _page(name: str, **query: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "views" / f"{name}.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _warnings(at: AppTest) -> str:
    return " ".join(shown(w.value) for w in at.warning)


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_on_session_database(atlas_env, name) -> None:
    at = _page(name)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value


def test_flows_segment_filter_changes_trips(flows_env) -> None:
    at = _page("flows")
    before = _metrics(at)["Trips between zones"]
    at.sidebar.multiselect(key="f_segments").set_value(["international"]).run()
    _ok(at)
    after = _metrics(at)["Trips between zones"]
    assert int(after.replace(",", "")) < int(before.replace(",", ""))


def test_flows_level_and_top_n_are_in_the_url(flows_env) -> None:
    at = _page("flows")
    assert len(at.dataframe[0].value) == 20
    at.slider(key="fl_top").set_value(10).run()
    at.radio(key="fl_level").set_value("place").run()
    _ok(at)
    assert "Trips between places" in _metrics(at)
    assert at.query_params["flows"] == "place" and at.query_params["top"] == "10"
    assert len(at.dataframe[0].value) == 10


def test_flows_route_from_url_and_invalid_values(flows_env) -> None:
    at = _page("flows", flows="nope", top="7", route="att-wat-phra-singh,zzz,att-wat-chedi-luang")
    _ok(at)
    warnings = _warnings(at)
    assert "flows='nope'" in warnings and "top='7'" in warnings and "zzz" in warnings
    m = _metrics(at)
    assert "Trips between zones" in m and m["Legs"] == "1" and m["Total distance"] == "0.60 km"
    assert any("straight-line (no road network imported)" in shown(i.value) for i in at.info)
    assert at.query_params["route"] == "att-wat-phra-singh,att-wat-chedi-luang"


def test_capacity_filters_and_catchment_distance(flows_env) -> None:
    at = _page("capacity")
    m = _metrics(at)
    assert int(m["Beds (all zones)"].replace(",", "")) >= 264  # real seed accommodation + two test hotels
    before = m["Overnight visitors / night"]
    at.sidebar.multiselect(key="f_segments").set_value(["domestic"]).run()
    assert _metrics(at)["Overnight visitors / night"] != before
    at.slider(key="cap_km").set_value(0.5).run()
    near = int(_metrics(at)["Accommodations in catchment"].replace(",", ""))
    at.slider(key="cap_km").set_value(5.0).run()
    _ok(at)
    far = int(_metrics(at)["Accommodations in catchment"].replace(",", ""))
    assert far > near and far >= 2  # at least the two test hotels lie within 5 km of Wat Phra Singh
    assert at.query_params["km"] == "5"
    assert any("Pressure index" in c.value for c in at.caption)


def test_capacity_invalid_attraction_falls_back(flows_env) -> None:
    at = _page("capacity", attraction="nope", km="99")
    _ok(at)
    assert "attraction='nope'" in _warnings(at) and "km='99'" in _warnings(at)
    assert at.selectbox(key="cap_attraction").value == "att-wat-phra-singh"


def test_places_search_and_detail(flows_env) -> None:
    at = _page("places")
    all_places = at.caption[0].value
    at.text_input(key="pl_q").input("วัดพระสิงห์").run()
    _ok(at)
    assert at.caption[0].value.startswith("1 places match")
    assert at.caption[0].value != all_places
    assert at.selectbox(key="pl_place").value == "att-wat-phra-singh"
    assert at.query_params["place"] == "att-wat-phra-singh"
    assert any(s.value == "Wat Phra Singh" for s in at.subheader)
    facts = {k: shown(v) for k, v in at.table[0].value["value"].items()}  # the PlaceDetail's fields, escaped
    assert facts["Layer / category"] == "Attraction / Temples" and facts["Opening hours"] == "06:00–18:00"
    assert facts["Coordinates"].startswith("18.788") and facts["Source"] == "osm"


def test_places_profile_follows_hours(flows_env) -> None:
    con = connect(flows_env, read_only=True)
    try:
        visited = placeinfo.search_places(con, "", ("attraction",)).dropna(subset=["zone_id"])
    finally:
        con.close()
    place = visited.sort_values(["category", "name_en"])["place_id"].iloc[0]  # synthetic_flows visits it
    at = _page("places", place=place)
    assert at.selectbox(key="pl_place").value == place
    before = _metrics(at)["Visits in view"]
    at.sidebar.slider(key="f_hours").set_value((8, 10)).run()
    _ok(at)
    assert _metrics(at)["Visits in view"] != before


def test_places_invalid_place_falls_back_with_note(flows_env) -> None:
    at = _page("places", place="nope", layer="spaceships")
    _ok(at)
    assert "place='nope'" in _warnings(at) and "layer='spaceships'" in _warnings(at)
    assert at.selectbox(key="pl_place").value is not None


def test_data_page_lists_tables_and_notes(flows_env) -> None:
    at = _page("data")
    _ok(at)
    m = _metrics(at)
    assert any("SIMULATED" in w.value for w in at.warning)
    assert m["Visitor data"] == "SIMULATED" and int(m["Tables"]) >= 10
    tables = set(at.dataframe[0].value["table_name"])
    assert {"places", "od_daily", "zone_nightly", "place_profile"} <= tables
    assert any("Visitor data covers" in i.value for i in at.info)
    assert any(shown(i.value).startswith("Visitor data covers 2025-11-01 to 2025-11-28 (28 days)") for i in at.info)
