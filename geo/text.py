"""Escape untrusted text for the context it lands in: HTML, a JavaScript template literal, JSON in a script, Markdown.

One rule for the whole atlas: any text that comes from data (place, zone, category, source names; imported
files) or from the URL reaches the browser only through one of these helpers, or as data that the renderer
treats as text (GeoJSON properties, DataFrame cells, ``st.text``). The atlas keeps storing whatever text it
is given (real names contain quotes, ampersands and backticks); safety is a property of rendering.

Contexts:

* ``html_text``: an HTML element's content or a quoted attribute. Folium writes popup and tooltip HTML
  inside JavaScript template literals (`` `...` ``), where a backtick ends the literal, ``${`` starts an
  expression and a backslash escapes the next character, so those three are written as HTML character
  references too; the browser shows them unchanged.
* ``script_json``: a value serialised as JSON for a ``<script>`` block (``</script>``, ``<!--`` and the
  JavaScript line separators cannot break out).
* ``markdown_text``: a value shown inside Streamlit Markdown (``st.markdown``, ``st.warning``,
  ``st.caption``, ``st.info``, metric help). Every ASCII punctuation character is backslash-escaped, which
  CommonMark defines as a literal character, so links, images, emphasis, Streamlit's ``:colour[...]`` and
  ``:icon:`` directives and ``$`` maths never form. GitHub-flavoured autolinks (``https://…``, ``www.…``,
  ``a@b.c``) are found again in the *shown* text after the escapes are resolved (remark-gfm's
  ``findAndReplace`` on text nodes, seen in Streamlit 1.67), so a WORD JOINER (U+2060, invisible) is put
  inside ``://``, after ``www`` and after ``@``: the text reads the same and no link forms. Newlines become
  spaces.
* ``clip``: cut a value echoed back to the reader (a URL parameter) to a readable length first.
"""

from __future__ import annotations

import html
import json
import math
import re
from typing import Any

#: Longest echo of an untrusted value in a note (characters, before escaping).
ECHO_LIMIT = 80

_TEMPLATE_LITERAL = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;"})
_SCRIPT_JSON = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_MARKDOWN_SPECIAL = frozenset("\\`*_{}[]()#+-.!|<>~$:&\"'=^%@,;/?")
#: Invisible character that breaks GFM autolink literals in shown text (see the module docstring).
WORD_JOINER = "\u2060"
_AUTOLINK_STARTS = re.compile(r"(https?:)(?=//)|(www)(?=\.)|(@)", re.IGNORECASE)


def _as_text(value: Any) -> str:
    """The text of a value; None, NaN (also NumPy's), pandas' NA and NaT become the empty string."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    if isinstance(value, str):
        return value
    try:  # pandas' NA and NaT, NumPy floats that are not Python floats (float32 NaN)
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return ""
        if pd.api.types.is_scalar(value) and bool(pd.isna(value)):
            return ""
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return str(value)


def html_text(value: Any) -> str:
    """Escape ``value`` for HTML content or a quoted attribute, safe inside a JS template literal too."""
    return html.escape(_as_text(value), quote=True).translate(_TEMPLATE_LITERAL)


def script_json(value: Any) -> str:
    """Serialise ``value`` as JSON that is safe to place inside an HTML ``<script>`` element."""
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str, allow_nan=False)
    except ValueError:  # NaN or infinity: JSON has no literal for them, so they become null
        text = json.dumps(_finite(value), ensure_ascii=False, separators=(",", ":"), default=str)
    for raw, escaped in _SCRIPT_JSON.items():
        text = text.replace(raw, escaped)
    return text


def _finite(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, ±inf) inside lists, tuples and dicts replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def clip(value: Any, limit: int = ECHO_LIMIT) -> str:
    """``value`` as text cut to ``limit`` characters (an ellipsis marks a cut); control characters become spaces."""
    if limit <= 0:
        return ""
    text = "".join(ch if ch.isprintable() else " " for ch in _as_text(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def markdown_text(value: Any, limit: int | None = None) -> str:
    """Escape ``value`` so Streamlit Markdown shows it as plain text (optionally clipped to ``limit`` first)."""
    text = clip(value, limit) if limit is not None else _as_text(value)
    text = " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text
    text = _AUTOLINK_STARTS.sub(lambda m: m.group(0) + WORD_JOINER, text)
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)


_TYPST_STRING = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def typst_string(value: Any) -> str:
    """``value`` as a Typst string literal (with its quotes): shown verbatim, never read as markup or code.

    The report (``geo.render.report_doc``) writes every text from data as such a literal in code mode
    (``#"..."`` or a function argument), so ``#``, ``[``, ``*``, ``$``, ``<``, ``@``, ``//`` and the rest
    stay plain characters. Inside a Typst string only backslash and the double quote are special; they are
    backslash-escaped, and line breaks, tabs and other control characters become ``\\n``, ``\\t`` or
    ``\\u{..}`` escapes (a raw control character could otherwise end up in the PDF's text). None, NaN and
    NA give ``""``.
    """
    out = []
    for ch in _as_text(value):
        if ch in _TYPST_STRING:
            out.append(_TYPST_STRING[ch])
        elif not ch.isprintable() and ch != " ":
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'
