"""Pages through streamlit.testing.v1.AppTest: render without exceptions on the session database."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from geo.settings import ROOT

APP = str(ROOT / "app.py")


def test_first_page_renders_places_map(atlas_env) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value.startswith("Tourism Atlas")
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Places shown"].replace(",", "")) >= 200


def test_missing_database_shows_actionable_error(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("make build" in e.value for e in at.error)


def test_category_filter_limits_places(atlas_env) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.sidebar.multiselect(key="f_categories").set_value(["temple"]).run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert 20 <= int(metrics["Places shown"].replace(",", "")) < 100
    assert metrics["Accommodation"] == "0"
