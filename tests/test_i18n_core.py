"""The translation primitive: the language is per context and English is the fallback."""

from __future__ import annotations

import contextvars

from geo import i18n


def test_untranslated_language_falls_back_to_source_text() -> None:
    ctx = contextvars.copy_context()

    def run() -> tuple[str, str]:
        i18n.set_language("xx")
        return i18n.get_language(), i18n._("Visitor density")

    assert ctx.run(run) == ("xx", "Visitor density")


def test_language_is_per_context() -> None:
    ctx = contextvars.copy_context()
    ctx.run(i18n.set_language, "th")
    assert ctx.run(i18n.get_language) == "th"
    assert i18n.get_language() == i18n.DEFAULT_LANGUAGE


def test_marker_returns_message_unchanged() -> None:
    assert i18n.N_("Overview") == "Overview"
    assert i18n.ngettext("{n} place", "{n} places", 2) == "{n} places"
