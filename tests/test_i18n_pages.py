"""Every page, officials' and public, runs in Thai, English and Chinese (AppTest): no exception, no error, and the
title and sidebar in the chosen language; the choice comes from ``?lang=`` and survives a page change."""

from __future__ import annotations

import contextvars
import gc
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import i18n
from geo.settings import PUBLIC_PAGES, ROOT

APP = str(ROOT / "app.py")
OFFICIAL_PAGES = ("atlas_map", "overview", "density", "flows", "capacity", "places", "data", "sql")
TITLES = {"atlas_map": "Tourism Atlas · Chiang Mai", "overview": "Overview", "density": "Visitor density",
          "flows": "Flows and routes", "capacity": "Accommodation and capacity", "places": "Places", "data": "Data",
          "sql": "SQL"}


def _in(lang: str, message: str) -> str:
    def run() -> str:
        i18n.set_language(lang)
        return i18n._(message)

    return contextvars.copy_context().run(run)


def _open(script: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = lang
    at.switch_page(script)
    return at.run()


def _check(at: AppTest, lang: str, title: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == _in(lang, title)
    if lang != "en":
        assert at.title[0].value != title or title == "SQL" and lang == "th"
    assert at.sidebar.radio(key="atlas_lang").value == lang
    assert at.query_params["lang"] == lang


@pytest.mark.slow
@pytest.mark.parametrize("lang", ("th", "en", "zh"))
@pytest.mark.parametrize("page", OFFICIAL_PAGES)
def test_officials_page_runs_in_each_language(atlas_env: Path, page: str, lang: str) -> None:
    _check(_open(f"pages/views/{page}.py", lang), lang, TITLES[page])


@pytest.fixture
def public_env(public_db: Path, monkeypatch: pytest.MonkeyPatch):
    st.cache_resource.clear()
    gc.collect()
    monkeypatch.setenv("ATLAS_MODE", "public")
    monkeypatch.setenv("ATLAS_PUBLIC_DB", str(public_db))
    yield public_db
    st.cache_resource.clear()
    gc.collect()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ("th", "en", "zh"))
@pytest.mark.parametrize("page", sorted(PUBLIC_PAGES - {"map"}))
def test_public_page_runs_in_each_language(public_env: Path, page: str, lang: str) -> None:
    _check(_open(f"pages/views/public/{page}.py", lang), lang, TITLES[page])


def test_language_choice_survives_a_page_change(atlas_env: Path) -> None:
    at = _open("pages/views/overview.py", "zh")
    at.switch_page("pages/views/places.py").run()
    assert at.title[0].value == "地点" and at.query_params["lang"] == "zh"
    at.sidebar.radio(key="atlas_lang").set_value("th").run()
    assert at.title[0].value == "สถานที่" and at.query_params["lang"] == "th"


def test_unknown_language_falls_back_to_english(atlas_env: Path) -> None:
    at = _open("pages/views/overview.py", "xx")
    assert not at.exception and at.title[0].value == "Overview"
    assert at.query_params["lang"] == "en"


def test_sidebar_names_each_language_in_its_own_words(atlas_env: Path) -> None:
    at = _open("pages/views/overview.py", "en")
    radio = at.sidebar.radio(key="atlas_lang")
    assert radio.options[:1] == ["English"] and {"ไทย", "中文"} <= set(radio.options)
