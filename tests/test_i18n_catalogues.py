"""The message catalogues: every entry translated (Thai and Chinese), same placeholders, compiled from Babel's API,
languages discovered from locale/ folders and named in their own words."""

from __future__ import annotations

import contextvars
import re
import string
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from geo import catalogues, i18n

#: The languages the atlas must ship complete (a fourth is welcome; these may not fall behind).
REQUIRED = ("th", "zh")


def _placeholders(text: str) -> set[str]:
    """Named ``{placeholders}`` of a ``str.format`` template (``{{`` escapes excluded)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _entries(lang: str):
    with catalogues.po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    return [m for m in catalog if m.id]


@pytest.mark.parametrize("lang", REQUIRED)
def test_every_message_is_translated_with_the_same_placeholders(lang: str) -> None:
    entries = _entries(lang)
    assert len(entries) > 400  # the catalogue holds the app's messages, not an empty template
    problems = []
    for m in entries:
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if m.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not strings or not all(s.strip() for s in strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = _placeholders(ids[0])
        for s in strings:
            if _placeholders(s) != wanted:
                problems.append(f"placeholders {sorted(_placeholders(s))} != {sorted(wanted)}: {ids[0]!r}")
    assert not problems, f"locale/{lang}: " + "\n".join(problems)


@pytest.mark.parametrize("lang", REQUIRED)
def test_catalogue_covers_the_template(lang: str) -> None:
    """``make messages`` was run after the last string change: the template's messages are all in the catalogue."""
    template = catalogues.LOCALE_DIR / "atlas.pot"
    with template.open("rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in _entries(lang)}
    assert not wanted - have, f"run `make messages`: {sorted(wanted - have)[:10]}"


def test_placeholder_reader() -> None:
    assert _placeholders("{n} of {total} ({pct})") == {"n", "total", "pct"}
    assert _placeholders("{{literal}} and {x}") == {"x"}


def test_languages_are_the_locale_folders(tmp_path: Path) -> None:
    for lang in ("th", "zh", "ja"):
        po = catalogues.po_path(lang, tmp_path)
        po.parent.mkdir(parents=True)
        po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', encoding="utf-8")
    (tmp_path / "notalang").mkdir()
    assert catalogues.languages(tmp_path) == ("en", "ja", "th", "zh")
    assert [catalogues.display_name(x, tmp_path) for x in ("th", "en", "zh", "ja")] == ["ไทย", "English", "中文", "日本語"]
    assert catalogues.languages() [:1] == ("en",) and set(REQUIRED) <= set(catalogues.languages())


def test_a_po_header_names_a_language_babel_does_not_know(tmp_path: Path) -> None:
    po = catalogues.po_path("xx", tmp_path)
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Language-Name: Xish\\n"\n', encoding="utf-8")
    assert catalogues.display_name("xx", tmp_path) == "Xish"
    assert catalogues.display_name("qq", tmp_path) == "qq"


def test_compile_writes_mo_only_when_po_is_newer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    po = catalogues.po_path("th", tmp_path)
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "Overview"\nmsgstr "ภาพรวม"\n\n#, fuzzy\nmsgid "Map"\nmsgstr "แผนที่"\n', encoding="utf-8")
    assert catalogues.compile_catalogues(tmp_path) == [po.with_suffix(".mo")]
    assert catalogues.compile_catalogues(tmp_path) == []  # up to date: nothing written
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    ctx = contextvars.copy_context()

    def run() -> tuple[str, str]:
        i18n.set_language("th")
        return i18n._("Overview"), i18n._("Map")

    try:
        assert ctx.run(run) == ("ภาพรวม", "Map")  # fuzzy entries are not compiled
    finally:
        i18n.translations.cache_clear()


def test_session_compiled_catalogues_translate() -> None:
    ctx = contextvars.copy_context()

    def run(lang: str) -> str:
        i18n.set_language(lang)
        return i18n._("Visitor density")

    assert contextvars.copy_context().run(run, "th") == "ความหนาแน่นของผู้มาเยือน"
    assert ctx.run(run, "zh") == "游客密度"
    assert i18n._("") == ""  # never the catalogue header


def test_mo_files_are_build_products() -> None:
    ignore = (catalogues.LOCALE_DIR.parent / ".gitignore").read_text(encoding="utf-8")
    assert re.search(r"^locale/\*/LC_MESSAGES/\*\.mo$", ignore, re.MULTILINE)


@pytest.mark.parametrize("lang", REQUIRED)
def test_catalogue_header_is_not_fuzzy(lang: str) -> None:
    """``pybabel compile`` (``make setup``) skips a catalogue whose header is marked fuzzy, as ``pybabel init``
    leaves it: the served app would then run on a stale or missing ``.mo`` until first use recompiles it."""
    with catalogues.po_path(lang).open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    assert not catalog.fuzzy, f"locale/{lang}: remove '#, fuzzy' above the header entry"
