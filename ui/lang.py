"""The reader's language: the sidebar choice (ไทย / English / 中文 ...), kept in the URL as ``?lang=``.

``choose_language()`` runs at the top of every script run (``app.py``, before any string is built): it
settles the language from, in order, a ``?lang=`` the address bar was given, the choice made earlier in this
session, the browser's language (``st.context.locale``) and English; sets it for the run with
``geo.i18n.set_language``; draws the choice in the sidebar and writes it back into the URL. The languages
offered are the catalogues found under ``locale/`` (``geo.catalogues.languages``), each named in its own
words, so a new ``.po`` file is a new choice with no code change.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo import catalogues
from geo.i18n import DEFAULT_LANGUAGE, N_, _, get_language, set_language

#: The URL parameter holding the language code.
URL_KEY = "lang"
#: Session-state key of the sidebar choice.
WIDGET_KEY = "atlas_lang"
#: Session-state key of the value this session last wrote into the URL (a different one was typed or linked).
_WRITTEN_KEY = "_atlas_lang_url"


@st.cache_resource(show_spinner=False)
def available() -> tuple[str, ...]:
    """The languages offered (English first), their catalogues compiled once per process when ``make setup``
    has not (an ``.mo`` missing or older than its ``.po``; a read-only install keeps what it has)."""
    try:
        catalogues.compile_catalogues()
    except OSError:
        pass  # serving from a read-only copy: the compiled files shipped with it are used as they are
    return catalogues.languages()


@st.cache_resource(show_spinner=False)
def _names(langs: tuple[str, ...]) -> dict[str, str]:
    return {lang: catalogues.display_name(lang) for lang in langs}


def match(code: str | None, langs: tuple[str, ...]) -> str | None:
    """The offered language a browser or URL code names (``th``, ``th-TH``, ``zh_CN`` → ``th``, ``zh``), or None."""
    if not code or not isinstance(code, str):
        return None
    code = code.strip().replace("_", "-")
    if code in langs:
        return code
    base = code.split("-")[0].lower()
    return base if base in langs else None


def _browser_language(langs: tuple[str, ...]) -> str | None:
    return match(st.context.locale, langs)  # None outside a browser session (AppTest, a bare script run)


def choose_language() -> str:
    """Settle this run's language, set it (``geo.i18n.set_language``), draw the sidebar choice, keep the URL.

    Returns the language code.
    """
    langs = available()
    asked = st.query_params.get(URL_KEY)
    from_url = match(asked, langs)
    if from_url and asked != st.session_state.get(_WRITTEN_KEY):
        st.session_state[WIDGET_KEY] = from_url  # a link or a typed address names a language
    elif st.session_state.get(WIDGET_KEY) in langs:
        # re-assigned before the widget is drawn so the choice survives page changes (ui.state.sidebar_filters)
        st.session_state[WIDGET_KEY] = st.session_state[WIDGET_KEY]
    else:
        st.session_state[WIDGET_KEY] = from_url or _browser_language(langs) or DEFAULT_LANGUAGE
    set_language(st.session_state[WIDGET_KEY])
    names = _names(langs)
    lang = st.sidebar.radio(_("Language"), langs, key=WIDGET_KEY, horizontal=True,
                            format_func=lambda code: names.get(code, code))
    set_language(lang)
    if st.query_params.get(URL_KEY) != lang:
        st.query_params[URL_KEY] = lang
    st.session_state[_WRITTEN_KEY] = lang
    return lang


def month_name(month: int, width: str = "wide") -> str:
    """The name of ``month`` (1–12) in the current language, as a label reads it (``wide`` or ``abbreviated``)."""
    from babel.dates import get_month_names

    return get_month_names(width, context="stand-alone", locale=get_language().replace("-", "_"))[month]


def season_label(key: str) -> str:
    """The shown name of a season or month key of ``geo.vocab.SEASONS`` in the current language."""
    from geo import vocab

    label, months = vocab.SEASONS[key]
    return month_name(months[0]) if key.startswith("m") and len(months) == 1 else _(label)


#: Shown names of the origin segment groups (``geo.vocab.SEGMENT_GROUPS``), translated when shown.
SEGMENT_LABELS = {"domestic": N_("Domestic"), "international": N_("International"), "resident": N_("Resident")}


def segment_label(group: str) -> str:
    """The shown name of an origin segment group in the current language."""
    return _(SEGMENT_LABELS.get(group, group.capitalize()))


def weekday_label(name: str) -> str:
    """A weekday's short name (``geo.vocab.WEEKDAY_NAMES``, the URL and session value) in the current language."""
    return _(name)


def category_label(category: str) -> str:
    """A place category's shown name (``geo.vocab.CATEGORY_LABELS``) in the current language."""
    from geo import vocab

    return _(vocab.CATEGORY_LABELS.get(category, category))


def day(value: date) -> str:
    """A date as a caption reads it, in the current language: ``01 Nov 2025``, ``1 พ.ย. 2568``, ``2025年11月1日``.

    English keeps the atlas's own form; other languages take ``geo.i18n.format_date`` (CLDR medium form; Thai
    years in the Buddhist era unless ``THAI_BUDDHIST_ERA`` is off).
    """
    lang = get_language()
    if lang == DEFAULT_LANGUAGE:
        return f"{value:%d %b %Y}"
    from geo.i18n import format_date

    return format_date(value, lang, "yMMMd")


def month(value: date) -> str:
    """A month as a caption reads it, in the current language: ``Nov 2025``, ``พ.ย. 2568``, ``2025年11月``."""
    lang = get_language()
    if lang == DEFAULT_LANGUAGE:
        return f"{value:%b %Y}"
    from geo.i18n import format_month

    return format_month(value, lang, "abbreviated")
