"""The public view through AppTest: ATLAS_MODE=public serves the published session file (tests/conftest.py
public_db) on six pages, with a month range in the sidebar and every figure a sum of published rows."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.db import connect
from geo.services import public
from geo.services.filters import Filters
from geo.settings import PUBLIC_PAGES, ROOT
from tests.markdown_helpers import shown

APP = str(ROOT / "app.py")
#: Both published months of the session database: the default range (the last three months, or all).
BOTH = Filters(start=date(2025, 11, 1), end=date(2025, 12, 31))


@pytest.fixture
def public_env(public_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app in public mode on the published session file (cached connections dropped before and after)."""
    st.cache_resource.clear()
    gc.collect()
    monkeypatch.setenv("ATLAS_MODE", "public")
    monkeypatch.setenv("ATLAS_PUBLIC_DB", str(public_db))
    yield public_db
    st.cache_resource.clear()
    gc.collect()


def _open(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(f"pages/views/{page}.py")
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture(scope="module")
def expected(public_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """What the services say on a copy of the published file: DuckDB shares one instance per file in a process,
    and the app's own public connection to the file has file access off, so a second open could not load
    spatial (geo/db.py)."""
    copy = tmp_path_factory.mktemp("expected") / "public.duckdb"
    copy.write_bytes(public_db.read_bytes())
    con = connect(copy, "public")

    def run(service, *args):
        return service(con.cursor(), *args)

    yield run
    con.close()


def test_public_navigation_is_the_six_public_pages(public_env) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    _ok(at)
    assert len(PUBLIC_PAGES) >= 6 and "data" not in PUBLIC_PAGES
    assert at.title[0].value.startswith("Tourism Atlas")
    with pytest.raises(ValueError, match="Known pages"):  # the Data page is not registered
        at.switch_page("pages/views/data.py")
    # the sidebar offers months, not dates, and says how the public figures are made
    assert at.sidebar.select_slider(key="f_months").value == (date(2025, 11, 1), date(2025, 12, 1))
    assert not at.sidebar.date_input
    assert any("at least 10 people" in c.value for c in at.sidebar.caption)
    assert any("SIMULATED" in w.value for w in at.warning)


def test_public_overview_shows_published_sums(public_env, expected) -> None:
    at = _open("public/overview")
    _ok(at)
    assert at.title[0].value == "Overview"
    want = expected(public.kpis, BOTH).current
    m = _metrics(at)
    assert m["Visitors (person-days)"] == f"{want.visitors:,}" and want.visitors > 0
    # the headline is the estimate, labelled so, with the observed figure under it and the method one click away
    labels = [x.label for x in at.metric]
    assert labels[0] == "Visitors (person-days) · estimate"
    assert m[labels[0]] == f"{want.est_overnight + want.est_day_trippers:,.0f}"
    assert f"Observed devices: {want.overnight + want.day_trippers:,}" in [c.value for c in at.caption]
    assert at.get("popover")
    cal = expected(public.calibration)
    assert any(e.label.startswith("Estimate check: largest monthly difference") for e in at.expander)
    check = next(d.value for d in at.dataframe if "published" in d.value.columns)
    assert list(check["month"]) == [m.month for m in cal.months]
    assert m["Busiest zone"] == want.busiest_zone_name
    frames = [d.value for d in at.dataframe]
    zones = next(f for f in frames if "share" in f.columns and "overnight" in f.columns)
    assert int(zones["visitors"].sum()) == want.visitors  # the zones add up to the headline figure
    assert any("Top attractions" == s.value for s in at.subheader)
    assert len(at.get("vega_lite_chart")) >= 3  # seasonality, hour x weekday, origins


def test_public_month_range_from_the_url_and_a_bad_one_noted(public_env, expected) -> None:
    at = _open("public/overview", {"start": "2025-12", "end": "2025-12"})
    _ok(at)
    dec = Filters(start=date(2025, 12, 1), end=date(2025, 12, 31))
    assert _metrics(at)["Visitors (person-days)"] == f"{expected(public.kpis, dec).current.visitors:,}"
    assert at.sidebar.select_slider(key="f_months").value == (date(2025, 12, 1), date(2025, 12, 1))
    at = _open("public/overview", {"start": "2025-11-07", "end": "2031-01"})
    _ok(at)
    assert [shown(w.value) for w in at.sidebar.warning] == [
        "Ignored URL parameter start/end='2025-11-07..2031-01': months must lie within 2025-11..2025-12 in "
        "order; using the default."
    ]


def test_public_density_draws_published_cells_and_zone_figures(public_env, expected) -> None:
    at = _open("public/density")
    _ok(at)
    assert at.title[0].value == "Visitor density"
    cells = expected(public.cell_density, BOTH)
    m = _metrics(at)
    assert m["Cells shown"] == f"{len(cells):,}" and len(cells) > 0
    assert m["People present, avg per hour · estimate"] == f"{cells['est_present'].sum():,.0f}"
    zones = next(d.value for d in at.dataframe if "cells_with_data" in d.value.columns)
    want = expected(public.zone_presence, BOTH)
    assert round(float(zones["present"].sum()), 6) == round(float(want["present"].sum()), 6)
    assert not at.selectbox  # no season selector, no officials' zone summary
    assert not any(m.label.startswith("Visitors (people-days)") for m in at.metric)


def test_public_density_drill_down_and_drawn_area(public_env, expected) -> None:
    cells = expected(public.cell_density, BOTH)
    top = cells.iloc[0]
    at = _open("public/density", {"d_cell": format(int(top["cell"]), "x"),
                                  "area": "98.975_18.78~99_18.78~99_18.8~98.975_18.8"})
    _ok(at)
    m = _metrics(at)
    assert m["People present (avg per hour)"] == f"{top['present']:,.1f}"
    ring = ((98.975, 18.78), (99.0, 18.78), (99.0, 18.8), (98.975, 18.8))
    want = expected(public.area_summary, BOTH, ring)
    assert m["People-hours"] == f"{want.people_hours:,}"
    assert m["Overnight visitors' share"] == "—"
    assert any("not part of the public view" in i.value for i in at.info)


def test_public_flows_shows_published_zone_corridors_and_routes(public_env, expected) -> None:
    at = _open("public/flows", {"route": "att-wat-phra-singh,att-tha-phae-gate"})
    _ok(at)
    assert at.title[0].value == "Flows and routes"
    totals = expected(public.flow_totals, BOTH)
    m = _metrics(at)
    assert m["Trips between zones (published corridors)"] == f"{totals.corridor_trips:,}"
    assert m["Corridors published"] == f"{totals.corridors:,}" and totals.corridors > 0
    assert m["Trips between zones · estimate"] == f"{totals.est_corridor_trips:,.0f}"
    assert totals.est_corridor_trips > totals.corridor_trips
    assert [r.key for r in at.radio] == ["atlas_lang"]  # zone corridors only: no place-level flows radio
    assert "Legs" in m


def test_public_capacity_shows_pressure_from_published_presence(public_env, expected) -> None:
    at = _open("public/capacity")
    _ok(at)
    assert at.title[0].value == "Accommodation and capacity"
    want = expected(public.supply_demand, BOTH)
    m = _metrics(at)
    assert m["Beds (all zones)"] == f"{int(want['beds'].sum()):,}"
    # the estimate leads, the observed published figure under it
    assert m["Overnight visitors / night · estimate"] == f"{want['est_overnight_per_night'].sum():,.0f}"
    assert f"Observed devices: {round(float(want['overnight_per_night'].sum())):,}" in [c.value for c in at.caption]
    assert want["est_overnight_per_night"].sum() > want["overnight_per_night"].sum() > 0
    assert "Accommodations in catchment" in m


def test_public_places_shows_published_visits(public_env, expected) -> None:
    at = _open("public/places", {"place": "att-wat-phra-singh"})
    _ok(at)
    assert at.title[0].value == "Places"
    want = expected(public.place_visits, "att-wat-phra-singh", BOTH)
    assert _metrics(at)["Visits in the months"] == f"{want.visits:,}"
    assert _metrics(at)["Visits · estimate"] == f"{want.est_visits:,.0f}" and want.est_visits > want.visits


def test_public_mode_refuses_a_file_that_is_not_published(atlas_env, monkeypatch) -> None:
    """Pointed at the officials' database, the public view serves nothing and says what to run."""
    st.cache_resource.clear()
    gc.collect()
    monkeypatch.setenv("ATLAS_MODE", "public")
    monkeypatch.setenv("ATLAS_PUBLIC_DB", str(atlas_env))
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
        assert not at.exception
        assert any("not a published file" in shown(e.value) and "geo publish" in shown(e.value) for e in at.error)
        assert not at.metric
    finally:
        st.cache_resource.clear()
        gc.collect()


def test_public_mode_without_a_published_file_says_how_to_make_one(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_MODE", "public")
    monkeypatch.setenv("ATLAS_PUBLIC_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("make run-public" in shown(e.value) for e in at.error)
