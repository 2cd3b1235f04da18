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


def _shown_english(at: AppTest, lang: str) -> list[str]:
    """Cells and columns of the page's tables that are a raw vocabulary key, an English catalogue message the
    language translates (a service's text shown untranslated), or a name_en/name_th column."""
    from geo.ingest.model import ACTIONS
    from geo.services.catalog import DATA_KINDS
    from geo.vocab import ALL_CATEGORIES, LAYERS, PRESSURE_CLASSES, PRICE_BANDS, VISITOR_TYPES

    raw = {*ALL_CATEGORIES, *LAYERS, *PRICE_BANDS, *VISITOR_TYPES, *DATA_KINDS, *ACTIONS,
           *(key for _bound, key, _label, _colour in PRESSURE_CLASSES)}
    catalogue = {k: v for k, v in i18n.translations(lang)._catalog.items() if isinstance(k, str) and k and k != v}
    found: list[str] = []
    for frame in (d.value for d in at.dataframe):
        found += [f"column {c}" for c in frame.columns if c in ("name_en", "name_th", "name_zh")]
        for column in frame.columns:
            values = {v for v in frame[column].tolist() if isinstance(v, str)}
            found += [f"{column}: {v!r}" for v in sorted(values) if v in raw or v in catalogue]
    return found


@pytest.mark.slow
@pytest.mark.parametrize("lang", ("th", "zh"))
@pytest.mark.parametrize("page", ("overview", "capacity", "data"))
def test_officials_tables_show_no_raw_keys_or_english(atlas_env: Path, page: str, lang: str) -> None:
    at = _open(f"pages/views/{page}.py", lang)
    _check(at, lang, TITLES[page])
    assert at.dataframe, "the page shows no table to check"
    found = _shown_english(at, lang)
    assert not found, f"{page} in {lang} shows untranslated keys or texts:\n" + "\n".join(found)
    if page == "overview" and lang == "th":  # every tourism zone has a Thai name: the busiest one is shown in it
        busiest = next(m for m in at.metric if m.label == _in(lang, "Busiest zone"))
        assert any("\u0e00" <= ch <= "\u0e7f" for ch in busiest.value), busiest.value


@pytest.mark.slow
@pytest.mark.parametrize("lang", ("th", "zh"))
@pytest.mark.parametrize("page", ("overview", "capacity"))
def test_public_tables_show_no_raw_keys_or_english(public_env: Path, page: str, lang: str) -> None:
    at = _open(f"pages/views/public/{page}.py", lang)
    _check(at, lang, TITLES[page])
    assert at.dataframe, "the page shows no table to check"
    found = _shown_english(at, lang)
    assert not found, f"public {page} in {lang} shows untranslated keys or texts:\n" + "\n".join(found)


def test_a_table_with_an_english_vocabulary_cell_is_caught() -> None:
    import pandas as pd

    class _Frame:  # the shape of an AppTest dataframe element
        def __init__(self, value: pd.DataFrame) -> None:
            self.value = value

    class _Page:
        dataframe = [_Frame(pd.DataFrame({"name_en": ["Wat"], "category": ["hotel"], "note": ["Temples"]}))]

    found = _shown_english(_Page(), "th")  # type: ignore[arg-type]
    assert found == ["column name_en", "category: 'hotel'", "note: 'Temples'"], found
