"""Every page, officials' and public, runs in Thai, English and Chinese (AppTest): no exception, no error, and the
title and sidebar in the chosen language; the choice comes from ``?lang=`` and survives a page change."""

from __future__ import annotations

import contextvars
import functools
import gc
import json
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo import i18n
from geo.settings import PUBLIC_PAGES, ROOT

APP = str(ROOT / "app.py")
OFFICIAL_PAGES = ("atlas_map", "overview", "density", "flows", "capacity", "places", "events", "data", "sql")
TITLES = {"atlas_map": "Tourism Atlas · Chiang Mai", "overview": "Overview", "density": "Visitor density",
          "flows": "Flows and routes", "capacity": "Accommodation and capacity", "places": "Places", "events": "Events and forecast", "data": "Data",
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
    at = _open(f"pages/views/{page}.py", lang)
    _check(at, lang, TITLES[page])
    if lang != "en":  # the guard (english_left, below): no English sentence the catalogue translates is left
        found = english_left(at, lang)
        assert not found, f"{page} in {lang} still shows English:\n" + "\n".join(found)


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
@pytest.mark.parametrize("page", sorted(PUBLIC_PAGES))
def test_public_page_runs_in_each_language(public_env: Path, page: str, lang: str) -> None:
    if page == "map":  # the public map is the officials' map script in public mode
        at = _open("pages/views/atlas_map.py", lang)
        _check(at, lang, TITLES["atlas_map"])
    else:
        at = _open(f"pages/views/public/{page}.py", lang)
        _check(at, lang, TITLES[page])
    if lang != "en":
        found = english_left(at, lang)
        assert not found, f"public {page} in {lang} still shows English:\n" + "\n".join(found)


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


#: Columns of identifiers a reader types as they are (the SQL page's table names), not words to translate.
IDENTIFIER_COLUMNS = ("table_name",)


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
            if column in IDENTIFIER_COLUMNS:
                continue
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


# --- guard: no English left on a page shown in Thai -------------------------------------------------------

#: A run of Latin-script words (with the punctuation that joins words in a sentence between them).
_WORD_RUN = re.compile(r"[A-Za-z][A-Za-z'’]*(?:[ ,;:/&\-–—()\"'.]+[A-Za-z][A-Za-z'’]*)*")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
#: Text that is data, code or a name, not the atlas's words: removed before looking for English.
_NOT_WORDS = (re.compile(r"`[^`]*`"), re.compile(r"\]\([^)]*\)"), re.compile(r"https?://\S+"),
              re.compile(r"\b[\w./-]+\.(?:md|py|csv|geojson|sql|json|duckdb|parquet|gpkg|pbf)\b"),
              re.compile(r"\{\w+\}"), re.compile(r"--[a-z][\w-]*"),
              re.compile(r"\(README[^)]*\)"))  # a README section is cited under its (English) heading
#: Names, proper nouns and units that stay in English in every language (each lower-case, as a phrase).
ALLOWED_ENGLISH = ("chiang mai", "openstreetmap", "tourism atlas", "python -m geo", "duckdb", "streamlit", "h3",
                   "sql", "csv", "tsv", "geojson", "geopackage", "shapefile", "geoparquet", "kml", "flatgeobuf",
                   "osm", "pbf", "gpx", "png", "html", "pdf", "xlsx", "zip",
                   # the columns an import file must have, named as the file names them
                   "device, time, lat, lon, segment", "hour, cell or zone, segment, visitors",
                   "day, origin, destination, segment, trips")


def _plain(text: str) -> str:
    for pattern in _NOT_WORDS:
        text = pattern.sub(" | ", text)
    text = text.lower()
    for phrase in ALLOWED_ENGLISH:
        text = re.sub(rf"\b{re.escape(phrase)}\b", " | ", text)
    return text


def _shingles(text: str) -> set[tuple[str, ...]]:
    """Every 3 consecutive words of each English run in ``text`` (lower-case)."""
    out: set[tuple[str, ...]] = set()
    for run in _WORD_RUN.finditer(_plain(text)):
        words = tuple(_WORD.findall(run.group()))
        out.update(words[i:i + 3] for i in range(len(words) - 2))
    return out


@functools.cache
def _translated_shingles(lang: str) -> dict[tuple[str, ...], str]:
    """Each 3-word run of every message the language translates (and of every vocabulary key), with its message."""
    from geo.vocab import ALL_CATEGORIES, LAYERS, PRICE_BANDS, VISITOR_TYPES

    found: dict[tuple[str, ...], str] = {}
    catalogue = i18n.translations(lang)._catalog  # type: ignore[attr-defined]
    for msgid, msgstr in catalogue.items():
        if isinstance(msgid, tuple):  # plural forms: (singular, index)
            msgid = msgid[0]
        if isinstance(msgid, str) and msgid and msgid != msgstr:
            for shingle in _shingles(msgid):
                found.setdefault(shingle, msgid)
    for key in (*ALL_CATEGORIES, *LAYERS, *PRICE_BANDS, *VISITOR_TYPES):
        for shingle in _shingles(key.replace("_", " ")):
            found.setdefault(shingle, key)
    return found


def shown_texts(at: AppTest) -> list[tuple[str, str]]:
    """(kind, text) of what a reader sees: titles, headers, markdown, captions, alerts, metric labels, buttons,
    expanders, tabs, widget labels and the shown headers of tables."""
    texts: list[tuple[str, str]] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "success", "error"):
        texts += [(kind, str(e.value)) for e in getattr(at, kind)]
    for kind in ("metric", "button", "expander", "tabs", "selectbox", "multiselect", "radio"):
        texts += [(kind, str(e.label)) for e in getattr(at, kind)]
    for frame in at.dataframe:
        config = json.loads(frame.proto.columns or "{}")
        for column in frame.value.columns:
            label = (config.get(str(column)) or {}).get("label")
            hidden = (config.get(str(column)) or {}).get("hidden")
            if not hidden:
                texts.append(("table header", str(label if label is not None else column)))
    return texts


def english_left(at: AppTest, lang: str) -> list[str]:
    """Each shown text with a run of 3+ English words from a message the language translates (or a vocabulary key)."""
    known = _translated_shingles(lang)
    found = []
    for kind, text in shown_texts(at):
        hits = sorted((" ".join(s), known[s]) for s in _shingles(text) if s in known)
        if hits:
            found.append(f"{kind}: {text[:200]!r}: {hits[0][0]!r} (from {hits[0][1][:80]!r})")
    return found



def test_the_guard_catches_an_english_sentence_and_lets_names_code_and_data_pass() -> None:
    class _El:
        def __init__(self, value: str) -> None:
            self.value = self.label = value

    class _Frame:
        def __init__(self) -> None:
            import pandas as pd

            self.value = pd.DataFrame({"zone": ["x"], "visitors": [1]})
            self.proto = type("P", (), {"columns": json.dumps({"visitors": {"label": "Trips routed on roads"}})})()

    class _Page:
        def __init__(self, markdown: list[str], frame: bool = False) -> None:
            self.markdown = [_El(m) for m in markdown]
            self.dataframe = [_Frame()] if frame else []

        def __getattr__(self, name: str) -> list:
            return []

    source = "What this atlas database holds, how good it is, and where it comes from. The filters do not apply here."
    thai = _in("th", source)
    assert thai != source
    ok = _Page([thai, "วัด Wat Phra That Doi Suthep, Chiang Mai", "`python -m geo import places.csv --layer places`",
                "ไทย (README: Routes on roads)"])
    assert english_left(ok, "th") == []  # type: ignore[arg-type]
    caught = english_left(_Page(["ข้อมูล: how good it is, and where it comes from"], frame=True), "th")  # type: ignore[arg-type]
    assert len(caught) == 2 and caught[0].startswith("markdown:") and caught[1].startswith("table header:"), caught
