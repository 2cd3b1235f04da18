"""Pages through streamlit.testing.v1.AppTest: render without exceptions on the session database."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
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


@pytest.fixture
def public_env(public_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app in public mode on the published session file; cached connections dropped before and after."""
    st.cache_resource.clear()
    gc.collect()
    monkeypatch.setenv("ATLAS_MODE", "public")
    monkeypatch.setenv("ATLAS_PUBLIC_DB", str(public_db))
    yield public_db
    st.cache_resource.clear()
    gc.collect()


def test_public_mode_serves_the_public_pages_from_the_published_file(public_env) -> None:
    """Every page in PUBLIC_PAGES renders on the published file; the Data page is not registered. Each page's
    own figures are tested in tests/test_public_pages.py."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page("pages/views/data.py")  # before the first run: an unknown page opens the landing page
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value.startswith("Tourism Atlas")
    titles = {"overview": "Overview", "density": "Visitor density", "flows": "Flows and routes",
              "capacity": "Accommodation and capacity", "places": "Places"}
    for name, title in titles.items():
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page(f"pages/views/public/{name}.py")
        at.run()
        assert not at.exception, (name, at.exception)
        assert not at.error, (name, [e.value for e in at.error])
        assert at.title[0].value == title, name
        assert "data/README.md" in " ".join(c.value for c in at.caption)  # no Data page to point to


def test_page_names_are_their_url_paths_and_officials_get_every_page() -> None:
    import ast

    from geo.settings import PUBLIC_PAGES, Settings

    tree = ast.parse((ROOT / "app.py").read_text(encoding="utf-8"))
    pages = next(n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                 and getattr(n.targets[0], "id", "") == "PAGES")
    names = {k.value: next(kw.value.value for kw in v.keywords if kw.arg == "url_path")
             for k, v in zip(pages.keys, pages.values, strict=True)}
    assert all(k == v for k, v in names.items())
    assert PUBLIC_PAGES <= set(names)
    assert all(Settings(mode="officials").serves_page(n) for n in names)
    assert {n for n in names if Settings(mode="public").serves_page(n)} == PUBLIC_PAGES
    scripts = next(n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                   and getattr(n.targets[0], "id", "") == "PUBLIC_SCRIPTS")
    public = {k.value: v.value for k, v in zip(scripts.keys, scripts.values, strict=True)}
    assert set(public) <= PUBLIC_PAGES and PUBLIC_PAGES - set(public) == {"map"}  # the Atlas map is shared
    assert all((ROOT / path).is_file() and path == f"pages/views/public/{name}.py" for name, path in public.items())
