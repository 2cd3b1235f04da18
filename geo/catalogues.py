"""Discover, name and compile the message catalogues under ``locale/`` (a language is a folder with a ``.po``).

A language exists when ``locale/<lang>/LC_MESSAGES/atlas.po`` exists: adding a fourth language is adding
that file (``pybabel init``, or a copy of ``locale/atlas.pot``), nothing else. The sidebar names each
language in its own words (Babel's ``Locale(lang).display_name``, or a ``Language-Name`` header in the
``.po`` for a language Babel does not know). The compiled ``.mo`` files are build products (git-ignored):
``make setup`` compiles them with ``pybabel compile``, and ``compile_catalogues`` does the same through
Babel's API for code that starts without them (the test suite after a clean clone, a bare
``streamlit run``).
"""

from __future__ import annotations

from pathlib import Path

from geo import i18n
from geo.i18n import DEFAULT_LANGUAGE, DOMAIN, LOCALE_DIR

#: The header a ``.po`` may carry to name its language in that language (when Babel has no name for it).
NAME_HEADER = "Language-Name"


def po_path(lang: str, locale_dir: Path = LOCALE_DIR) -> Path:
    """Where the catalogue of ``lang`` lives (``locale/<lang>/LC_MESSAGES/atlas.po``)."""
    return locale_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages(locale_dir: Path = LOCALE_DIR) -> tuple[str, ...]:
    """Every language the atlas speaks: English (the source text) first, then each folder holding a catalogue,
    in name order."""
    found = sorted(p.parent.parent.name for p in locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return (DEFAULT_LANGUAGE, *(lang for lang in found if lang != DEFAULT_LANGUAGE))


def _header_name(lang: str, locale_dir: Path) -> str | None:
    path = po_path(lang, locale_dir)
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("msgid") and "msgid \"\"" not in line:
                break  # past the header entry
            text = line.strip().strip('"')
            if text.startswith(f"{NAME_HEADER}:"):
                return text.split(":", 1)[1].replace("\\n", "").strip() or None
    return None


def display_name(lang: str, locale_dir: Path = LOCALE_DIR) -> str:
    """The name of ``lang`` in that language (``ไทย``, ``English``, ``中文``): the ``.po`` header
    ``Language-Name`` when present, else Babel's name, else the code itself."""
    named = _header_name(lang, locale_dir)
    if named:
        return named
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(lang.replace("-", "_")).display_name
    except (ValueError, UnknownLocaleError):
        return lang
    return name or lang


def compile_catalogues(locale_dir: Path = LOCALE_DIR, *, force: bool = False) -> list[Path]:
    """Compile every ``.po`` under ``locale_dir`` whose ``.mo`` is missing or older (all with ``force``); the
    ``.mo`` files written. The one implementation is ``geo.i18n.compile_catalogues``."""
    return i18n.compile_catalogues(locale_dir, force=force)
