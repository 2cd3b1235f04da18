"""What a reader sees of a Markdown body that the atlas escaped with ``geo.text.markdown_text``."""

from __future__ import annotations

import re

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def shown(markdown: str) -> str:
    """``markdown`` as a browser shows it: backslash escapes resolved, invisible word joiners (U+2060) removed."""
    return _ESCAPE.sub(r"\1", markdown).replace("\u2060", "")  # the word joiner that breaks autolinks
