"""Translation of every user-facing string: one gettext domain (``atlas``), catalogues under ``locale/``.

Mark a string where it is written: ``_("Visitor density")`` translates it now, in the language of the
current context; ``N_("...")`` only marks it (for tables of labels built at import time, translated with
``_()`` when shown). Placeholders are named and filled after translation, so a translator can move them:
``_("{n} visitors").format(n=...)``.

The language is per context (a ``ContextVar``): the UI sets it at the top of every script run from the
sidebar choice / ``?lang=``, the CLI from ``--lang``; ``geo`` code that raises or formats a message just calls
``_()``. Without compiled catalogues every message falls back to the English source text.
"""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import cache
from pathlib import Path

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
