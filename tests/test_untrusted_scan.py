"""Source scan: text that Streamlit renders as Markdown, or Folium puts into HTML/JS, is never built from raw values.

Streamlit renders the body of ``st.markdown``, ``st.caption``, ``st.info``/``warning``/``error``/``success``,
titles and headers, metric labels, every ``help=`` tooltip, expander labels and ``st.table`` cells as
Markdown, and so does ``st.metric`` for its value and delta; Folium writes ``Tooltip``/``Popup``/``DivIcon`` HTML inside JavaScript template literals and layer
names into the layer control's HTML. An f-string (or concatenation) passed there may interpolate only:

* a value wrapped in an escaping helper (``markdown_text``, ``html_text``, ``esc``, ``note_markdown``),
* a value with a format spec (``{n:,}``, ``{d:%d %b %Y}``, ``{x:.1f}``: numbers and dates),
* ``len(...)``/``int(...)``/``float(...)``/``round(...)`` of anything, a page's own number formatter
  (``_fmt_*``, which returns digits and fixed words), or a module constant in capitals.

A translated message is the atlas's own text, as a literal is: ``_("...")`` (and ``N_``, ``ngettext``,
``pgettext``) of a literal or of a module constant in capitals; ``_("... {x} ...").format(x=...)`` is safe
when every value filled in is.

A line may opt out with a ``# trusted-text: <reason>`` comment when the value is the atlas's own text.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from geo.settings import ROOT

MARKDOWN_CALLS = {"markdown", "caption", "info", "warning", "error", "success", "title", "header", "subheader",
                  "expander", "toast", "metric"}
FOLIUM_CALLS = {"Tooltip", "Popup", "DivIcon", "FeatureGroup", "Legend", "popup_table"}
ESCAPERS = {"markdown_text", "html_text", "esc", "note_markdown", "script_json"}
SAFE_CALLS = {"len", "int", "float", "round"}
#: ui.lang's date formatters: digits and the language's month names (Babel/CLDR).
DATE_CALLS = {"day", "month", "month_name"}
#: The message catalogue's functions (geo.i18n): their result is the atlas's own wording in the reader's language.
TRANSLATORS = {"_", "N_", "ngettext", "pgettext"}
OPT_OUT = "# trusted-text:"


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _translated(node: ast.Call) -> bool:
    """``_("...")`` / ``_(CONSTANT)`` (or ``N_``, ``ngettext``, ``pgettext``): a message of the catalogue."""
    if not (isinstance(node.func, ast.Name) and node.func.id in TRANSLATORS):
        return False
    return all(isinstance(a, ast.Constant) or (isinstance(a, ast.Name | ast.Attribute) and _safe_value(a))
               or isinstance(a, ast.Name) and node.func.id == "ngettext" for a in node.args)


def _safe_value(node: ast.expr) -> bool:
    """True when an interpolated expression cannot carry Markdown/HTML from data or the URL."""
    if isinstance(node, ast.Call):
        if _translated(node):
            return True
        if (isinstance(node.func, ast.Attribute) and node.func.attr == "format"
                and isinstance(node.func.value, ast.Call | ast.IfExp | ast.BoolOp) and _safe_value(node.func.value)):
            # a translated template filled with safe values
            return all(_safe_text(v) for v in (*node.args, *(k.value for k in node.keywords)))
        name = _call_name(node.func)
        if name in TRANSLATORS:  # the atlas's own wording through the catalogue: _("literal"), _(CONSTANT)
            return all(_safe_value(arg) for arg in node.args) and not node.keywords
        if (name == "format" and isinstance(node.func, ast.Attribute) and _safe_value(node.func.value)
                and not node.args):  # _("... {n} ...").format(n=<safe>): each placeholder value checked
            return all(_safe_text(kw.value) for kw in node.keywords)
        if name == "join" and len(node.args) == 1 and isinstance(node.args[0], ast.GeneratorExp | ast.ListComp):
            return _safe_text(node.func.value) and _safe_text(node.args[0].elt)  # type: ignore[attr-defined]
        if name in DATE_CALLS and isinstance(node.func, ast.Attribute) and _call_name(node.func.value) == "lang":
            return True
        return name in ESCAPERS or name in SAFE_CALLS or name.startswith("_fmt_")
    if isinstance(node, ast.JoinedStr):
        return _safe_text(node)
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name | ast.Attribute):
        leaf = node.id if isinstance(node, ast.Name) else node.attr
        return leaf.isupper()  # a module constant (the atlas's own wording)
    if isinstance(node, ast.IfExp):
        return _safe_value(node.body) and _safe_value(node.orelse)
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Add | ast.Mod) and _safe_text(node)
    if isinstance(node, ast.BoolOp):
        return all(_safe_value(v) for v in node.values)
    return False


def _safe_text(node: ast.expr) -> bool:
    """True when a text argument is a literal, an escaped value, or an f-string of safe parts."""
    if isinstance(node, ast.JoinedStr):
        for part in node.values:
            if isinstance(part, ast.FormattedValue) and part.format_spec is None and not _safe_value(part.value):
                return False
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return _safe_text(node.left) and _safe_text(node.right)
    return _safe_value(node)


def _findings(path: Path, calls: set[str]) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or _call_name(node.func) not in calls:
            continue
        # st.metric renders its label, value and delta as Markdown too (seen in Streamlit 1.67's browser output)
        first = node.args[:3] if _call_name(node.func) == "metric" else node.args[:1]
        texts = list(first) + [kw.value for kw in node.keywords if kw.arg in ("help", "label", "html", "name",
                                                                            "body", "text", "value", "delta")]
        for text in texts:
            if _safe_text(text):
                continue
            span = lines[node.lineno - 1: (node.end_lineno or node.lineno)]
            if any(OPT_OUT in line for line in span):
                continue
            where = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
            found.append(f"{where}:{node.lineno}: {ast.unparse(text)[:90]}")
    return found


def _sources(*folders: str) -> list[Path]:
    return sorted(p for f in folders for p in (ROOT / f).rglob("*.py") if "__pycache__" not in p.parts)


@pytest.mark.parametrize("path", _sources("pages", "ui") + [ROOT / "app.py"], ids=lambda p: str(p.relative_to(ROOT)))
def test_markdown_elements_get_escaped_text(path: Path) -> None:
    assert _findings(path, MARKDOWN_CALLS) == []


#: The Folium map builders (charts.py is Altair: its ``alt.Tooltip`` takes field names, and values are data).
MAP_SOURCES = [p for p in _sources("geo/render") if p.name == "base.py" or p.name.endswith("_maps.py")]


@pytest.mark.parametrize("path", MAP_SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_folium_texts_get_escaped_text(path: Path) -> None:
    assert _findings(path, FOLIUM_CALLS) == []


def test_the_scan_catches_raw_values(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import streamlit as st\nimport folium\n"
        "name = 'x'\n"
        "st.markdown(f'**{name}**')\n"
        "st.warning('Ignored ' + name)\n"
        "st.info(name)\n"
        "st.metric('a', 1, help=f'In {name}')\n"
        "folium.Tooltip(f'{name} · {3:.1f} km')\n"
        "st.caption(f'{len(name):,} places {markdown_text(name)}')\n"
        "st.markdown(f'{name}')  # trusted-text: a test\n"
        "st.info(_('Hi {n}').format(n=name))\n"
        "st.info(_('Hi {n}').format(n=markdown_text(name)) + _(NOTE) + _('x'))\n"
        "st.info(_(name))\n",
        encoding="utf-8",
    )
    found = _findings(bad, MARKDOWN_CALLS | FOLIUM_CALLS)
    assert [f.split(":")[1] for f in found] == ["4", "5", "6", "7", "8", "11", "13"]
