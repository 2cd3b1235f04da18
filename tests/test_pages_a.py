"""Overview and Visitor density pages through AppTest: render, react to filters, survive bad URL values."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import h3
import pytest
from streamlit.testing.v1 import AppTest

from geo.db import connect
from geo.services import catalog
from geo.settings import ROOT
from tests.markdown_helpers import shown
from tests.presence_fixtures import flows_database

APP = str(ROOT / "app.py")
OVERVIEW = "pages/views/overview.py"
DENSITY = "pages/views/density.py"


@pytest.fixture(scope="module")
def flows_db(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session database, with synthetic presence flows added when it was built without flows."""
    return flows_database(atlas_db, tmp_path_factory.mktemp("presence"))


@pytest.fixture
def flows_env(flows_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at the database with flows."""
    monkeypatch.setenv("ATLAS_DB", str(flows_db))
    return flows_db


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


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def test_overview_renders_kpis_charts_and_simulated_label(flows_env) -> None:
    at = _open(OVERVIEW)
    _ok(at)
    assert at.title[0].value == "Overview"
    m = _metrics(at)
    for label in ("Visitors (people-days)", "Overnight (people-days)", "Day-trippers (people-days)",
                  "International share", "Dwell per attraction visit", "Busiest zone", "Busiest hour", "Visitors per day"):
        assert label in m, label
    assert _int(m["Visitors (people-days)"]) > 0
    assert any("SIMULATED" in w.value for w in at.warning)
    assert any(c.value.startswith("Visitors = people-days") for c in at.caption)
    assert len(at.get("vega_lite_chart")) >= 3  # seasonality, hour x weekday, origins


def test_overview_segment_filter_changes_visitors_and_share(flows_env) -> None:
    at = _open(OVERVIEW)
    before = _metrics(at)
    at.sidebar.multiselect(key="f_segments").set_value(["domestic"]).run()
    _ok(at)
    after = _metrics(at)
    assert _int(after["Visitors (people-days)"]) < _int(before["Visitors (people-days)"])
    assert after["International share"] == "0.0%"
    assert at.query_params["seg"] == "domestic"


def test_overview_hours_filter_changes_visitors(flows_env) -> None:
    at = _open(OVERVIEW)
    before = _int(_metrics(at)["Visitors (people-days)"])
    at.sidebar.slider(key="f_hours").set_value((2, 4)).run()
    _ok(at)
    assert _int(_metrics(at)["Visitors (people-days)"]) < before


def test_overview_invalid_url_hours_fall_back_with_note(flows_env) -> None:
    default = _metrics(_open(OVERVIEW))
    at = _open(OVERVIEW, {"h": "99-3"})
    _ok(at)
    assert any("Ignored URL parameter h='99-3'" in shown(w.value) for w in at.sidebar.warning)
    assert _metrics(at)["Visitors (people-days)"] == default["Visitors (people-days)"]


def test_overview_shows_change_against_the_previous_period(flows_env) -> None:
    con = connect(flows_env, read_only=True)
    try:
        first, last = catalog.date_bounds(con)
    finally:
        con.close()
    half = (last - first).days // 2
    start = last - timedelta(days=half - 1)
    at = _open(OVERVIEW, {"start": start.isoformat(), "end": last.isoformat()})
    _ok(at)
    deltas = {m.label: m.delta for m in at.metric}
    assert deltas["Visitors (people-days)"].endswith("% vs previous")
    assert deltas["International share"].endswith("pp vs previous")
    assert deltas["Busiest zone"].startswith("previous: ")
    assert any(c.value.startswith(f"Previous period: {start - timedelta(days=half):%d %b %Y}") for c in at.caption)


def test_overview_url_filters_are_restored(flows_env) -> None:
    at = _open(OVERVIEW, {"seg": "international"})
    _ok(at)
    assert _metrics(at)["International share"] == "100.0%"


def test_density_renders_map_kpis_and_area_summary(flows_env) -> None:
    at = _open(DENSITY)
    _ok(at)
    assert at.title[0].value == "Visitor density"
    m = _metrics(at)
    assert _int(m["Cells with people"]) > 0
    assert _int(m["Visitors (people-days)"]) > 0  # area summary of the default zone
    assert at.selectbox(key="dens_zone").value == "old_city"
    assert at.radio(key="dens_view").value == "heat"


def test_density_view_season_and_hour_are_stored_in_the_url(flows_env) -> None:
    at = _open(DENSITY)
    at.radio(key="dens_view").set_value("hex").run()
    at.select_slider(key="dens_hour").set_value("3").run()
    _ok(at)
    assert at.query_params["d_view"] == "hex" and at.query_params["d_hour"] == "3"
    def spread() -> tuple[str, str]:
        m = _metrics(at)
        return m["Busiest cell (people present)"], m["Cells with people"]

    at_three = spread()  # 03:00: people asleep in few cells; 14:00: spread over the city
    at.select_slider(key="dens_hour").set_value("14").run()
    assert spread() != at_three
    at.selectbox(key="dens_season").set_value("hot").run()
    _ok(at)
    assert at.query_params["d_season"] == "hot"


def test_density_url_restores_zone_and_view(flows_env) -> None:
    at = _open(DENSITY, {"d_zone": "nimman", "d_view": "hex", "d_hour": "10"})
    _ok(at)
    assert at.selectbox(key="dens_zone").value == "nimman"
    assert at.radio(key="dens_view").value == "hex"
    assert at.select_slider(key="dens_hour").value == "10"


def test_density_invalid_url_values_fall_back_with_notes(flows_env) -> None:
    at = _open(DENSITY, {"d_zone": "atlantis", "d_view": "3d", "d_season": "winter", "d_hour": "99"})
    _ok(at)
    notes = " ".join(shown(w.value) for w in at.sidebar.warning)
    for key in ("d_zone", "d_view", "d_season", "d_hour"):
        assert f"Ignored URL parameter {key}=" in notes, key
    assert at.selectbox(key="dens_zone").value == "old_city"
    assert at.radio(key="dens_view").value == "heat"


def test_density_segment_filter_changes_zone_figures(flows_env) -> None:
    at = _open(DENSITY)
    before = _int(_metrics(at)["Visitors (people-days)"])
    at.sidebar.multiselect(key="f_segments").set_value(["international"]).run()
    _ok(at)
    assert _int(_metrics(at)["Visitors (people-days)"]) < before


def test_density_click_drills_down_to_the_cell(flows_env) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(DENSITY)
    lat, lon = 18.7883, 98.9853  # Tha Phae Gate, old city
    at.session_state["dens_click"] = (lat, lon)
    at.run()
    _ok(at)
    cell_hex = h3.latlng_to_cell(lat, lon, 8)
    assert any(cell_hex in md.value for md in at.markdown)
    assert "Peak hour" in _metrics(at)
    assert at.query_params["d_cell"] == cell_hex


def test_density_url_restores_the_drilled_down_cell(flows_env) -> None:
    cell_hex = h3.latlng_to_cell(18.7883, 98.9853, 8)
    at = _open(DENSITY, {"d_cell": cell_hex})
    _ok(at)
    assert any(cell_hex in md.value for md in at.markdown)
    bad = _open(DENSITY, {"d_cell": "not-a-cell"})
    _ok(bad)
    assert any("Ignored URL parameter d_cell='not-a-cell'" in shown(w.value) for w in bad.sidebar.warning)
    assert "d_cell" not in bad.query_params


def test_pages_explain_missing_flows(tmp_path, monkeypatch) -> None:
    from geo.build.run import BuildOptions, build_database
    from geo.settings import ROOT

    db = tmp_path / "no_flows.duckdb"
    build_database(db, BuildOptions(flows=False, seed_dir=ROOT / "data" / "seed"))
    monkeypatch.setenv("ATLAS_DB", str(db))
    for page in (OVERVIEW, DENSITY):
        at = _open(page)
        assert not at.exception, at.exception
        messages = [e.value for e in at.error] + [i.value for i in at.info]
        assert any("make build" in m for m in messages), (page, messages)


@pytest.mark.parametrize("raw", ["-1", "f" * 17, "8" * 100_000, "![x](https://example.invalid/p.png)"])
def test_density_garbage_cell_in_url_is_a_plain_note(flows_env, raw) -> None:
    at = _open(DENSITY, {"d_cell": raw})
    _ok(at)
    notes = [w.value for w in at.sidebar.warning]
    assert len(notes) == 1 and shown(notes[0]).startswith("Ignored URL parameter d_cell=")
    assert len(notes[0]) < 400  # the value is cut, not echoed whole
    assert "](" not in notes[0]
    assert "d_cell" not in at.query_params


@pytest.mark.parametrize("content", [b"", b"not a database\n"])
def test_a_file_that_is_not_an_atlas_database_gives_a_clear_message(tmp_path, monkeypatch, content) -> None:
    db = tmp_path / "broken.duckdb"
    db.write_bytes(content)
    monkeypatch.setenv("ATLAS_DB", str(db))
    for page in (OVERVIEW, DENSITY):
        at = _open(page)
        assert not at.exception, at.exception
        errors = [shown(e.value) for e in at.error]
        assert errors and "is not a DuckDB database the atlas can read" in errors[0], errors
        assert "make build" in errors[0]
