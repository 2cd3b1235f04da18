"""Every user-facing string literal in app.py, pages/, ui/ and geo/render/ goes through the message catalogue.

A source scan (AST): string literals handed to Streamlit's display and widget calls as their label, body,
help or options, to ``st.Page`` as a title, to column configurations as labels, and in geo/render to chart
and legend titles and map layer names must be wrapped in ``_()`` / ``N_()`` (or ``ngettext``/``pgettext``),
with the template translated before ``.format``. f-strings with words in them cannot be translated and are
reported too. Allowed without a mark: text with no letters (numbers, symbols, "—"), and the few literals in
``ALLOWED`` with the reason for each.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from geo.settings import ROOT

#: Calls whose first positional argument (and label-like keywords) a person reads.
DISPLAY_CALLS = frozenset({
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning", "error", "success",
    "toast", "metric", "button", "download_button", "link_button", "page_link", "selectbox", "radio",
    "multiselect", "select_slider", "slider", "toggle", "checkbox", "text_input", "text_area", "number_input",
    "date_input", "time_input", "file_uploader", "expander", "tabs", "popover", "form_submit_button",
    "segmented_control", "pills", "spinner", "status", "Page", "dialog",
    # st.column_config.*
    "Column", "TextColumn", "NumberColumn", "CheckboxColumn", "SelectboxColumn", "DatetimeColumn", "DateColumn",
    "TimeColumn", "ListColumn", "LinkColumn", "ImageColumn", "LineChartColumn", "BarChartColumn",
    "ProgressColumn", "AreaChartColumn", "JsonColumn", "MultiselectColumn",
})
#: Calls every positional argument of which is shown (a metric's label, value and change).
ALL_POSITIONAL = frozenset({"metric", "tabs"})
#: Keywords shown as text wherever they appear in a display call.
DISPLAY_KEYWORDS = frozenset({"label", "body", "help", "placeholder", "title", "caption", "delta", "value_label"})
#: In geo/render: keywords shown on charts and maps (Altair titles, Folium tooltips), on any call.
RENDER_KEYWORDS = frozenset({"title", "tooltip", "caption", "legend_name", "text"})
#: Folium layer constructors whose ``name`` is shown in the layer control.
LAYER_CALLS = frozenset({"FeatureGroup", "GeoJson", "Choropleth", "HeatMap", "HeatMapWithTime", "MarkerCluster",
                         "FastMarkerCluster", "TileLayer", "PolyLine", "Marker", "CircleMarker", "Circle"})
#: Functions that translate or mark their first argument.
MARKERS = frozenset({"_", "N_", "ngettext", "pgettext", "gettext"})
#: Receivers whose calls are not shown to a person (logs).
NOT_SHOWN = frozenset({"log", "logger", "logging", "LOG", "_log"})

#: (file, literal) shown as written in every language, and why.
ALLOWED: dict[tuple[str, str], str] = {
    ("pages/views/data.py", "name_en=ADM2_EN\nname_th=ADM2_TH"): "an example of the mapping syntax (field names)",
    ("pages/views/data.py", "district"): "an example level name: a key typed by the official, kept in English",
    ("pages/views/data.py", "Bangkok=domestic:Bangkok\nChina=international:CN"):
        "an example of the segment mapping syntax (an operator's values and the atlas's segment keys)",
    ("ui/estimates.py", "](data)"): "the end of a Markdown link: the Data page's address, not words",
}


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def _receiver(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.value.id
    return ""


def _is_marked(node: ast.expr) -> bool:
    """``_("...")``, ``N_("...")``, or ``_("... {x}").format(...)``."""
    if not isinstance(node, ast.Call):
        return False
    if _call_name(node.func) in MARKERS and isinstance(node.func, ast.Name):
        return True
    return (isinstance(node.func, ast.Attribute) and node.func.attr == "format" and _is_marked(node.func.value))


def unmarked(node: ast.expr | None) -> list[tuple[int, str]]:
    """The literals with words in ``node`` (an argument expression) that are not marked: (line, text)."""
    if node is None:
        return []
    if isinstance(node, ast.Constant):
        return [(node.lineno, node.value)] if isinstance(node.value, str) and _has_letters(node.value) else []
    if isinstance(node, ast.JoinedStr):
        text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
        found = [(node.lineno, "f" + repr(text))] if _has_letters(text) else []
        for v in node.values:
            if isinstance(v, ast.FormattedValue):
                found += unmarked(v.value)
        return found
    if _is_marked(node):
        assert isinstance(node, ast.Call)
        if isinstance(node.func, ast.Attribute):  # .format(...): the values may hold literals of their own
            return [hit for a in (*node.args, *(k.value for k in node.keywords)) for hit in unmarked(a)]
        return []
    if isinstance(node, ast.BinOp):
        return unmarked(node.left) + unmarked(node.right)
    if isinstance(node, ast.IfExp):
        return unmarked(node.body) + unmarked(node.orelse)
    if isinstance(node, ast.BoolOp):
        return [hit for v in node.values for hit in unmarked(v)]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [hit for e in node.elts for hit in unmarked(e)]
    if isinstance(node, ast.Dict):  # column_config: keys are column names (logic), values are shown
        return [hit for v in node.values for hit in unmarked(v)]
    if isinstance(node, ast.Call):
        name = _call_name(node.func)
        if name in ("join",):  # "; ".join(parts): the separator is punctuation, the parts are checked
            return [hit for a in node.args for hit in unmarked(a)]
        if name in ("markdown_text", "str", "clip", "escape"):
            return [hit for a in node.args for hit in unmarked(a)]
        return []
    return []


def _findings(path: Path) -> list[str]:
    return findings_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))


def findings_in(source: str, rel: str) -> list[str]:
    """``file:line: text`` of every unmarked user-facing literal in ``source`` (the file ``rel``)."""
    render = rel.startswith("geo/render/")
    tree = ast.parse(source, filename=rel)
    hits: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _receiver(node.func) in NOT_SHOWN:
            continue
        name = _call_name(node.func)
        if name in MARKERS:
            continue
        args: list[ast.expr] = []
        # Streamlit's calls are methods (st.x, st.sidebar.x, a column's x); a plain function of that name is not one
        if name in DISPLAY_CALLS and not render and isinstance(node.func, ast.Attribute):
            args += node.args if name in ALL_POSITIONAL else node.args[:1]
            if name == "Page":  # st.Page(script, title=...): the script path is not shown
                args = []
            args += [k.value for k in node.keywords if k.arg in DISPLAY_KEYWORDS]
            if (name in ("selectbox", "radio", "multiselect", "select_slider", "segmented_control", "pills")
                    and not any(k.arg == "format_func" for k in node.keywords)):  # shown as written
                args += node.args[1:2] + [k.value for k in node.keywords if k.arg == "options"]
            for k in node.keywords:  # format_func: a dict's .get or a lambda gives the option's shown name
                if k.arg == "format_func":
                    func = k.value
                    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Dict):
                        args.append(func.value)
                    elif isinstance(func, ast.Lambda):
                        args.append(func.body)
            if name == "dataframe" or name == "data_editor":
                args += [k.value for k in node.keywords if k.arg == "column_config"]
        elif name in ("dataframe", "data_editor") and not render:
            args += [k.value for k in node.keywords if k.arg == "column_config"]
        if render:
            args += [k.value for k in node.keywords if k.arg in RENDER_KEYWORDS]
            if name in LAYER_CALLS:
                args += [k.value for k in node.keywords if k.arg == "name"]
            if name == "Title":  # alt.Title("...")
                args += node.args[:1]
        if name == "PageParam":  # why a URL value was ignored: shown in the sidebar
            args += [k.value for k in node.keywords if k.arg == "why"]
        for arg in args:
            hits += unmarked(arg)
    return sorted({f"{rel}:{line}: {text!r}" for line, text in hits if (rel, text) not in ALLOWED})


def _scanned() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("pages", "ui", "geo/render"):
        files += sorted(p for p in (ROOT / folder).rglob("*.py") if "__pycache__" not in p.parts)
    return files


@pytest.mark.parametrize("path", _scanned(), ids=lambda p: str(p.relative_to(ROOT)))
def test_user_facing_strings_are_marked(path: Path) -> None:
    found = _findings(path)
    assert not found, "user-facing text not marked for translation (wrap it in _()):\n" + "\n".join(found)


def _scan(source: str, rel: str = "pages/views/x.py") -> list[str]:
    return findings_in(source, rel)


def test_scan_finds_unmarked_labels_and_accepts_marked_ones() -> None:
    source = '''
import streamlit as st
from geo.i18n import _
st.title("Overview")
st.sidebar.selectbox("Zone", ["a"], help=_("Pick one"))
c = st.columns(2)
c[0].metric(_("Visits"), f"{n} min", "—")
st.caption(f"Figures cover {start}")
st.info(_("{n} places").format(n=3))
st.markdown("**" + _("Nearby") + "**")
st.dataframe(df, column_config={"name_en": "Zone", "share": st.column_config.NumberColumn(_("Share"))})
st.write(12)
'''
    found = _scan(source)
    assert len(found) == 6, found  # the option "a" too: shown as written, no format_func
    joined = "\n".join(found)
    assert "'Overview'" in joined and "'Zone'" in joined and "Figures cover" in joined and "' min'" in joined
    assert "Pick one" not in joined and "Visits" not in joined and "Nearby" not in joined and "Share" not in joined


#: geo/ingest: the argument that is a reason or message an official reads (the Data page's problems table, the
#: import's refusal), by call: index of the positional argument.
REASON_ARGS = {"_refuse": 1, "Problem": 2, "ImportRefusedError": 0, "add": 2, "reject": 1, "area_warning": 2,
               "_Rejected": 0, "_CorruptError": 0}
#: geo/ingest: variables that hold (part of) a reason before it is handed on.
REASON_NAMES = frozenset({"reason", "hint", "why", "msg", "message", "note", "where", "left_out"})
#: (file, literal) in geo/ingest reasons shown as written in every language, and why.
INGEST_ALLOWED: dict[tuple[str, str], str] = {
    ("geo/ingest/validate.py", " (--strict)"): "the command-line option that made a warning a rejection",
    ("geo/ingest/osm.py", "(as above)"): "docs/osm-mapping.md's table (English documentation), not a reason",
    ("geo/ingest/roads.py", "area=yes"): "an OpenStreetMap tag, counted as the reason a way was left out",
    ("geo/ingest/roads.py", "f'highway='"): "an OpenStreetMap tag, counted as the reason a way was left out",
    ("geo/ingest/roads.py", "f'way/'"): "an OpenStreetMap object id",
    ("geo/ingest/osm.py", "f'node/'"): "an OpenStreetMap object id",
    ("geo/ingest/osm.py", "f'way/'"): "an OpenStreetMap object id",
}


def ingest_findings_in(source: str, rel: str) -> list[str]:
    """``file:line: text`` of every unmarked reason literal in a geo/ingest module's ``source``."""
    hits: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, filename=rel)):
        args: list[ast.expr] = []
        if isinstance(node, ast.Call):
            name = _call_name(node.func)
            if name in REASON_ARGS:
                i = REASON_ARGS[name]
                args += node.args[i:i + 1] + [k.value for k in node.keywords if k.arg in ("reason", "message")]
            elif name == "append" and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                    and node.func.value.id in ("notes", "after"):
                args += node.args[:1]  # summary notes: "fields: ...", "then: ..."
        elif isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id in REASON_NAMES for t in targets):
                args.append(node.value)
        for arg in args:
            hits += unmarked(arg)
    return sorted({f"{rel}:{line}: {text!r}" for line, text in hits if (rel, text) not in INGEST_ALLOWED})


def _ingest_scanned() -> list[Path]:
    return sorted(p for p in (ROOT / "geo" / "ingest").glob("*.py"))


@pytest.mark.parametrize("path", _ingest_scanned(), ids=lambda p: str(p.relative_to(ROOT)))
def test_import_reasons_are_marked(path: Path) -> None:
    """Import problems and refusals are shown on the Data page in the reader's language: every reason literal
    in geo/ingest goes through ``_()`` (English stays the source text, so the CLI and its tests read English)."""
    found = ingest_findings_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "import reason not marked for translation (wrap it in _()):\n" + "\n".join(found)


def test_ingest_scan_finds_unmarked_reasons() -> None:
    source = '''
rows.add(row, fld, f"unreadable WKT: {err}", "rejected")
rows.add(row, fld, _("missing name"), "rejected")
problems.append(Problem(None, None, "no header", "refused"))
raise _refuse(display, _("is empty: {n}").format(n=1))
reason = "the file is " + size
notes.append(f"{n} rows read")
'''
    found = ingest_findings_in(source, "geo/ingest/x.py")
    assert len(found) == 4, found
    assert "unreadable WKT" in found[0] + found[1] + found[2] + found[3] and "missing name" not in "".join(found)


def test_scan_reads_chart_titles_in_render() -> None:
    found = _scan('import altair as alt\nalt.X("h:Q", title="Hour")\nalt.Y("v:Q", title=_("Visits"))\n'
                  'folium.FeatureGroup(name="Zones")\n', rel="geo/render/x.py")
    assert len(found) == 2 and "'Hour'" in found[0] and "'Zones'" in found[1]
