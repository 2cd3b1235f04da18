"""A drawn area on the Visitor density and Accommodation pages through AppTest: from a link, from a drawing, cleared."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.db import connect
from geo.services import area, catalog, public
from geo.services.filters import Filters, default_filters
from geo.settings import ROOT
from tests.presence_fixtures import flows_database
from ui import url

APP = str(ROOT / "app.py")
DENSITY = "pages/views/density.py"
PUBLIC_DENSITY = "pages/views/public/density.py"
CAPACITY = "pages/views/capacity.py"
OLD_CITY: area.Ring = ((98.975, 18.78), (99.0, 18.78), (99.0, 18.8), (98.975, 18.8))
OLD_CITY_URL = "98.975_18.78~99_18.78~99_18.8~98.975_18.8"


@pytest.fixture(scope="module")
def flows_db(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return flows_database(atlas_db, tmp_path_factory.mktemp("area_pages"))


@pytest.fixture
def flows_env(flows_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ATLAS_DB", str(flows_db))
    return flows_db


@pytest.fixture
def public_env(public_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Public mode on the published session file; cached connections dropped before and after. Yields a copy
    of the file for the expected figures (one DuckDB instance per file in a process: geo/db.py)."""
    st.cache_resource.clear()
    gc.collect()
    monkeypatch.setenv("ATLAS_MODE", "public")
    monkeypatch.setenv("ATLAS_PUBLIC_DB", str(public_db))
    copy = tmp_path / "expected.duckdb"
    copy.write_bytes(public_db.read_bytes())
    yield copy
    st.cache_resource.clear()
    gc.collect()


def _open(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(page)
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _expected(db: Path) -> area.AreaSummary:
    con = connect(db, read_only=True)
    try:
        first, last = catalog.date_bounds(con)
        return area.area_summary(con, default_filters(first, last), OLD_CITY, floor=0)
    finally:
        con.close()


def test_a_link_with_an_area_shows_its_numbers_on_the_density_page(flows_env) -> None:
    want = _expected(flows_env)
    at = _open(DENSITY, {"area": OLD_CITY_URL})
    _ok(at)
    assert any(h.value == "Drawn area" for h in at.subheader)
    m = _metrics(at)
    assert m["People-hours"] == f"{want.people_hours:,}" and want.people_hours > 0
    assert m["People present (avg/hour)"] == f"{want.present:,.1f}"
    assert m["Beds inside"] == f"{want.beds:,}"
    assert m["Overnight visitors' share"] == f"{want.overnight_share:.1%}"
    assert any("H3 cells counted" in c.value and "centre lies inside the shape" in c.value for c in at.caption)
    frames = [d.value for d in at.dataframe]
    assert any(list(df.columns) == ["origin", "people_hours", "share"] for df in frames)
    assert any("name" in df.columns and "name_th" not in df.columns and len(df) == len(want.places) for df in frames)
    assert at.query_params["area"] == OLD_CITY_URL
    assert at.button(key="area_clear") is not None


def test_the_accommodation_page_shows_the_same_area_with_its_beds(flows_env) -> None:
    want = _expected(flows_env)
    at = _open(CAPACITY, {"area": OLD_CITY_URL})
    _ok(at)
    m = _metrics(at)
    assert m["Beds inside"] == f"{want.beds:,}" and want.beds > 0
    assert m["People-hours"] == f"{want.people_hours:,}"
    assert at.query_params["area"] == OLD_CITY_URL


def test_clear_area_forgets_it_and_the_link(flows_env) -> None:
    at = _open(DENSITY, {"area": OLD_CITY_URL})
    at.button(key="area_clear").click().run()
    _ok(at)
    assert "area" not in at.query_params
    assert "People-hours" not in _metrics(at)
    assert any("Draw a rectangle or a polygon on the map" in c.value for c in at.caption)


def test_without_an_area_the_page_says_how_to_draw_one(flows_env) -> None:
    at = _open(DENSITY)
    _ok(at)
    assert any("Draw a rectangle or a polygon on the map" in c.value for c in at.caption)
    assert "area" not in at.query_params


@pytest.mark.parametrize("raw", ["garbage<b>**x**</b>", "98.975_18.78~99_18.78", "100.5_13.7~100.6_13.7~100.6_13.8",
                                 "1e9_1~2_2~3_3", "98.97_18.78~99_18.8~99_18.78~98.97_18.8"])
def test_a_garbage_area_in_a_link_is_a_plain_note(flows_env, raw: str) -> None:
    at = _open(DENSITY, {"area": raw})
    _ok(at)
    notes = [w.value for w in at.sidebar.warning]
    assert any(n.startswith("Ignored URL parameter area") for n in notes), notes
    assert "area" not in at.query_params
    assert "People-hours" not in _metrics(at)


def _drawing_script(drawings: object) -> None:
    """A page that hands ``drawings`` to the tool as a map would report them (AppTest runs this as a script)."""
    import streamlit as st

    from ui import area as drawn_area

    drawn_area.current()
    changed = drawn_area.take_drawing({"all_drawings": drawings})
    st.text(f"changed={changed} area={st.session_state.get('drawn_area')}")


def _feature(ring) -> dict:
    coords = [[lon, lat] for lon, lat in ring] + [[ring[0][0], ring[0][1]]]
    return {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [coords]}}


def test_a_drawing_becomes_the_area_and_the_link(flows_env) -> None:
    drawn = [(98.9750012, 18.7800004), (99.0000049, 18.78), (99.0, 18.8), (98.975, 18.8)]
    at = AppTest.from_function(_drawing_script, args=([_feature(drawn)],), default_timeout=30).run()
    _ok(at)
    assert at.text[0].value.startswith("changed=True")
    assert at.session_state["drawn_area"] == OLD_CITY  # rounded as the link keeps it
    assert at.query_params["area"] == OLD_CITY_URL


def test_a_deleted_drawing_clears_the_area(flows_env) -> None:
    at = AppTest.from_function(_drawing_script, args=([],), default_timeout=30)
    at.query_params["area"] = OLD_CITY_URL
    at.run()
    _ok(at)
    assert at.text[0].value == "changed=True area=None"
    assert "area" not in at.query_params


def test_a_refused_drawing_is_reported_and_not_used(flows_env) -> None:
    far = [(100.5, 13.7), (100.6, 13.7), (100.6, 13.8)]
    at = AppTest.from_function(_drawing_script, args=([_feature(far)],), default_timeout=30).run()
    _ok(at)
    assert at.text[0].value == "changed=False area=None"
    assert any("The drawn shape was not used" in w.value for w in at.warning)
    line = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[98.9, 18.7], [99, 18.8]]}}
    at = AppTest.from_function(_drawing_script, args=([line],), default_timeout=30).run()
    assert any("rectangles and polygons" in w.value for w in at.warning)


def test_public_density_page_sums_only_published_cells_and_withholds_the_mix(public_env) -> None:
    con = connect(public_env, "public")
    try:
        first, last = public.months(con)[0], public.months(con)[-1]
        filters = Filters(start=first, end=url.month_end(last))  # the default: the last three months (or all)
        want = public.area_summary(con, filters, OLD_CITY)
    finally:
        con.close()
    at = _open(PUBLIC_DENSITY, {"area": OLD_CITY_URL})
    _ok(at)
    m = _metrics(at)
    assert m["People-hours"] == f"{want.people_hours:,}"
    assert m["Overnight visitors' share"] == "—"
    assert any("Origins and visitor types of a drawn area are not part of the public view" in i.value for i in at.info)
    assert url.area_from_url(at.query_params["area"]) == OLD_CITY
