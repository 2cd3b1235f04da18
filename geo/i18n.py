"""Translation of every user-facing string: one gettext domain (``atlas``), catalogues under ``locale/``.

Mark a string where it is written: ``_("Visitor density")`` translates it now, in the language of the
current context; ``N_("...")`` only marks it (for tables of labels built at import time, translated with
``_()`` when shown). Placeholders are named and filled after translation, so a translator can move them:
``_("{n} visitors").format(n=...)``.

The language is per context (a ``ContextVar``): the UI sets it at the top of every script run from the
sidebar choice / ``?lang=``, the CLI from ``--lang``; ``geo`` code that raises or formats a message just calls
``_()``. Without compiled catalogues every message falls back to the English source text; a ``.po``
newer than its ``.mo`` is compiled on first use (``compile_catalogues``).

Beside the messages: numbers, percentages, dates, months and weekday names in the language's own forms
(Babel/CLDR; Thai years in the Buddhist era by default, Chinese ``2026年12月``), and ``display_name``, the
one function every service, map and report uses to pick a place's or zone's name in the reader's language.
"""

from __future__ import annotations

import gettext
import math
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel import Locale, dates, numbers

#: Gettext domain of every catalogue (``locale/<lang>/LC_MESSAGES/atlas.po``).
DOMAIN = "atlas"
#: Where the catalogues live (compiled ``.mo`` files beside their ``.po``).
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
#: The source language of every message.
DEFAULT_LANGUAGE = "en"

_current: ContextVar[str] = ContextVar("atlas_language", default=DEFAULT_LANGUAGE)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of one language (English and unknown languages: the source text)."""
    if lang == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    _ensure_compiled()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def set_language(lang: str) -> None:
    """Make ``lang`` the language of the current context (a script run, a CLI command, a test)."""
    _current.set(lang)


def get_language() -> str:
    """The language of the current context."""
    return _current.get()


def _(message: str) -> str:
    """``message`` in the current language (the English source when no translation is compiled)."""
    if not message:  # gettext("") is the catalogue's header, never a message
        return message
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the current language."""
    return translations(_current.get()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, disambiguated by ``context`` (a short word a translator reads)."""
    return translations(_current.get()).pgettext(context, message)


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (translate with ``_()`` when shown)."""
    return message


# --- languages -----------------------------------------------------------------------------------------

#: Languages the atlas speaks, source language first; adding one is a new ``.po`` file plus an entry here.
LANGUAGES: tuple[str, ...] = ("en", "th", "zh")
#: Each language's name in itself (language pickers, the report's title page).
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "th": "ไทย", "zh": "中文"}
#: The Babel (CLDR) locale each language formats dates and numbers with (Chinese: Simplified, mainland).
BABEL_LOCALES: dict[str, str] = {"en": "en", "th": "th_TH", "zh": "zh_Hans_CN"}
#: Years shown in the Buddhist era (BE = CE + 543) in Thai unless a caller says otherwise.
THAI_BUDDHIST_ERA = True
#: Offset of the Thai Buddhist era from the Common Era.
BUDDHIST_ERA_OFFSET = 543


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The CLI's default language: ``ATLAS_LANG``, else the ``LANGUAGE``/``LC_ALL``/``LC_MESSAGES``/``LANG``
    locale (``th_TH.UTF-8`` → ``th``), else English."""
    env = os.environ if environ is None else environ
    for key in ("ATLAS_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(key) or "").strip()
        if not value:
            continue
        code = value.split(":")[0].split(".")[0].split("_")[0].split("-")[0].lower()
        if code in LANGUAGES:
            return code
        if code not in ("c", "posix"):
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


@contextmanager
def using_language(lang: str) -> Iterator[str]:
    """Run a block in ``lang`` (a report, a CLI summary), restoring the previous language afterwards."""
    token = _current.set(lang)
    try:
        yield lang
    finally:
        _current.reset(token)


def _lang(lang: str | None) -> str:
    return lang or _current.get()


def babel_locale(lang: str | None = None) -> Locale:
    """The Babel locale of ``lang`` (the current language when None; unknown languages: English)."""
    return Locale.parse(BABEL_LOCALES.get(_lang(lang), "en"))


# --- catalogues ----------------------------------------------------------------------------------------


def compile_catalogues(locale_dir: Path | None = None, *, force: bool = False) -> list[Path]:
    """Compile every ``<locale_dir>/*/LC_MESSAGES/*.po`` to its ``.mo`` when the ``.mo`` is missing or older.

    Uses Babel's own reader and writer (fuzzy entries left out, as ``pybabel compile`` does). Returns the
    ``.mo`` files written; clears the loaded catalogues so the next ``_()`` reads the new ones.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written: list[Path] = []
    for po in sorted((locale_dir or LOCALE_DIR).glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not force and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as src:
            catalog = read_po(src, locale=po.parent.parent.name)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}.{threading.get_ident()}.tmp")  # concurrent first lookups
        with tmp.open("wb") as out:
            write_mo(out, catalog)
        tmp.replace(mo)
        written.append(mo)
    if written:
        translations.cache_clear()
    return written


def _ensure_compiled() -> None:
    """Compile stale catalogues before the first lookup (a read-only install keeps the ``.mo`` it has)."""
    try:
        compile_catalogues()
    except OSError:  # read-only tree or missing Babel data: use whatever .mo files exist
        pass


# --- numbers -------------------------------------------------------------------------------------------


def format_number(value: float | int | None, lang: str | None = None, decimals: int | None = None,
                  empty: str = "—") -> str:
    """``12,345`` / ``12,345.7`` with the language's separators; ``decimals`` fixes the fraction digits
    (None: whole numbers as such, others up to 3 digits); ``empty`` for None/NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return empty
    loc = babel_locale(lang)
    if decimals is None:
        return numbers.format_decimal(value, locale=loc)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return numbers.format_decimal(round(float(value), decimals), format=pattern, locale=loc,
                                  decimal_quantization=True)


def format_percent(share: float | None, lang: str | None = None, decimals: int = 1, empty: str = "—") -> str:
    """A share 0–1 as a percentage: ``34.5%`` (``decimals`` fraction digits); ``empty`` for None/NaN."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return empty
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
    return numbers.format_percent(share, format=pattern, locale=babel_locale(lang), decimal_quantization=True)


# --- dates ---------------------------------------------------------------------------------------------


def _buddhist(lang: str, buddhist_era: bool | None) -> bool:
    return lang == "th" and (THAI_BUDDHIST_ERA if buddhist_era is None else buddhist_era)


def _with_year(pattern: str, year: int, era_text: str) -> str:
    """``pattern`` with every year field (``y``, ``yy``, ``yyyy``) replaced by the literal ``year`` and every
    era field (``G``) by ``era_text``; quoted literals kept as they are."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "'":  # a quoted literal, copied through ('' is a quote)
            j = i + 1
            while j < n and pattern[j] != "'":
                j += 1
            out.append(pattern[i : j + 1])
            i = j + 1
            continue
        j = i
        while j < n and pattern[j] == ch:
            j += 1
        run = j - i
        if ch == "y":
            text = f"{year % 100:02d}" if run == 2 else str(year)
            out.append(f"'{text}'")
        elif ch == "G":
            out.append(f"'{era_text}'")
        else:
            out.append(pattern[i:j])
        i = j
    return "".join(out)


def _pattern(kind: str, style: str, loc: Locale) -> str:
    if kind == "date":
        if style in ("short", "medium", "long", "full"):
            return loc.date_formats[style].pattern
        return loc.datetime_skeletons[style].pattern if style in loc.datetime_skeletons else style
    return style


def format_date(value: date | datetime, lang: str | None = None, style: str = "medium",
                buddhist_era: bool | None = None) -> str:
    """A date in the language's own form: ``Dec 6, 2026`` / ``6 ธ.ค. 2569`` / ``2026年12月6日``.

    ``style``: ``short``, ``medium``, ``long``, ``full``, a CLDR skeleton (``yMMMd``) or an LDML pattern.
    Thai years are Buddhist-era (CE + 543, era ``พ.ศ.``) unless ``buddhist_era=False`` (Babel alone prints
    the Gregorian year, with ``ค.ศ.`` in the long forms).
    """
    lang = _lang(lang)
    loc = babel_locale(lang)
    day = value.date() if isinstance(value, datetime) else value
    pattern = _pattern("date", style, loc)
    if _buddhist(lang, buddhist_era):
        pattern = _with_year(pattern, day.year + BUDDHIST_ERA_OFFSET, "พ.ศ.")
    return dates.format_date(day, format=pattern, locale=loc)


def format_month(value: date | tuple[int, int], lang: str | None = None, width: str = "wide",
                 buddhist_era: bool | None = None) -> str:
    """A month of a year: ``December 2026`` / ``ธันวาคม 2569`` / ``2026年12月`` (``width`` ``abbreviated``:
    ``Dec 2026`` / ``ธ.ค. 2569`` / ``2026年12月``). ``value`` is a date or (year, month)."""
    lang = _lang(lang)
    day = date(value[0], value[1], 1) if isinstance(value, tuple) else date(value.year, value.month, 1)
    return format_date(day, lang, "yMMMM" if width == "wide" else "yMMM", buddhist_era)


def month_name(month: int, lang: str | None = None, width: str = "wide") -> str:
    """Name of month 1–12 standing alone: ``December`` / ``ธันวาคม`` / ``十二月`` (``abbreviated``: ``Dec`` /
    ``ธ.ค.`` / ``12月``)."""
    return dates.get_month_names(width, "stand-alone", locale=babel_locale(lang))[int(month)]


def weekday_name(weekday: int, lang: str | None = None, width: str = "abbreviated") -> str:
    """Name of ISO weekday 0=Monday..6=Sunday: ``Mon`` / ``จ.`` / ``周一`` (``wide``: ``Monday`` / ``วันจันทร์`` /
    ``星期一``)."""
    return dates.get_day_names(width, "stand-alone", locale=babel_locale(lang))[int(weekday)]


def year_number(year: int, lang: str | None = None, buddhist_era: bool | None = None) -> int:
    """The year as the language counts it (Thai: Buddhist era unless ``buddhist_era=False``)."""
    lang = _lang(lang)
    return year + BUDDHIST_ERA_OFFSET if _buddhist(lang, buddhist_era) else year


# --- names ---------------------------------------------------------------------------------------------

#: Appended to a name shown in another language than the reader's (the name has no form in theirs).
FALLBACK_MARK = "*"
#: The order other languages' names are tried in when a name has no form in the reader's language.
NAME_FALLBACK: dict[str, tuple[str, ...]] = {"en": ("th", "zh"), "th": ("en", "zh"), "zh": ("en", "th")}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "" or (
        value is not None and not isinstance(value, str | int | float) and str(value) in ("<NA>", "nan", "NaT"))


def display_name(names: Mapping[str, object], lang: str | None = None, *, prefix: str = "",
                 mark: bool = True) -> str:
    """A place's or zone's name in ``lang`` (the current language when None), from ``names`` (a row or a
    mapping with ``{prefix}name_en``, ``{prefix}name_th``, ``{prefix}name_zh``).

    When the name has no form in ``lang``, the first of ``NAME_FALLBACK[lang]`` that has one is shown with
    ``FALLBACK_MARK`` (``mark=False`` leaves it off, e.g. for a sort key); no name at all gives ``""``.
    """
    lang = _lang(lang)
    own = names.get(f"{prefix}name_{lang}")
    if not _blank(own):
        return str(own)
    for other in NAME_FALLBACK.get(lang, ("en", "th", "zh")):
        value = names.get(f"{prefix}name_{other}")
        if not _blank(value):
            return f"{value}{FALLBACK_MARK}" if mark else str(value)
    return ""
