"""The Export section at the end of every page: the page's data, charts and maps as files, and the report pack.

A page calls ``section(page, filters, *tables, ...)`` once, at the end of its render. The maps and charts
come from what the page drew in this run (``ui.state.drawn``: builder and inputs); the tables are the
page's own (``table``, ``points``, ``cells``, ``lines``, ``zones`` describe how each becomes a file).
Every file is made only when its button is clicked: ``st.download_button`` is given a function
(Streamlit 1.67's deferred download, run on its own thread), so drawing the section costs a few
milliseconds and a normal rerun makes no file.

What is offered:

* per table: CSV (UTF-8 with BOM); GeoJSON and GeoParquet when it has a geometry; and all tables in one
  Excel workbook with an About sheet (page, filters, build time, simulated or real);
* per chart: PNG and SVG with its title and a caption with the filters (and SIMULATED when it applies);
* per map: a standalone HTML file (opens with no network and no server) and a PNG with legend, scale bar
  and north arrow;
* the report pack (PDF, ``geo.report.pack``) for the page's filters.

**Public mode** (``ATLAS_MODE=public``) offers only pictures of what the page shows (map HTML and PNG,
chart PNG and SVG): the map file carries exactly the data the browser already received. Data tables and
the report pack (which covers pages the public view does not serve) are left out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from geo import vocab
from geo.errors import AtlasError
from geo.i18n import N_, _, get_language, set_language
from geo.render import export
from geo.render.base import leg_end_name
from geo.render.report_text import text
from geo.report.naming import FILTER_FIELDS, file_name, filter_caption, slug
from geo.services import catalog
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import state
from ui.names import names_of, with_name

#: Label of the section (an expander closed by default, so it takes one line under the page).
SECTION_LABEL = N_("Export: data, charts, maps and the report pack")


#: Shown titles of the tables pages offer, by table name (translated when shown; other names read as words).
TABLE_TITLES: dict[str, str] = {
    "places": N_("Places"), "pressure_by_zone": N_("Pressure by zone"), "catchment": N_("Catchment"),
    "catchment_price_bands": N_("Catchment by price band"), "tables": N_("Tables"), "datasets": N_("Datasets"),
    "coverage_gaps": N_("Coverage gaps"), "cells": N_("Cells"), "zone_summary": N_("Zone summary"),
    "zone_origins": N_("Zone origins"), "zone_top_places": N_("Zone top places"),
    "zone_hour_profile": N_("Zone hour profile"), "corridors": N_("Corridors"), "route_legs": N_("Route legs"),
    "route_stops": N_("Route stops"), "seasonality": N_("Seasonality"), "hour_weekday": N_("Hour and weekday"),
    "origins": N_("Origins"), "top_places": N_("Top places"), "results": N_("Results"), "place": N_("Place"),
    "nearby": N_("Nearby places"), "profile_by_hour": N_("Profile by hour"),
    "profile_by_month": N_("Profile by month"), "profile_by_weekday": N_("Profile by weekday"),
    "profile_origins": N_("Profile origins"), "totals": N_("Trip totals"),
}


def _default_title(name: str, title: str) -> str:
    """``title``, else the table's known title (``TABLE_TITLES``), else its name as words."""
    return title or TABLE_TITLES.get(name) or name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Table:
    """A table the page offers: ``name`` (file-name part and sheet name), the frame, a readable ``title``,
    and ``geometry`` (a function turning the frame into a GeoDataFrame) when it has one."""

    name: str
    frame: pd.DataFrame
    title: str = ""
    geometry: Callable[[pd.DataFrame], Any] | None = field(default=None, compare=False)
    #: further files of the table: (button label, extension, file-name part, bytes maker)
    files: tuple[tuple[str, str, str, Callable[[], bytes]], ...] = field(default=(), compare=False)


def _named(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``name`` column first in the reader's language (fallback marked) when its rows are places
    or zones; ``name_en``/``name_th``/``name_zh`` stay beside it for other software. A ``note`` column (a day
    plan's or a route leg's notes, which services keep in English) is written in the reader's language too."""
    if "note" in frame.columns:
        names: dict[str, str] = {}
        if "name_en" in frame.columns:
            names.update(zip(frame["name_en"], names_of(frame), strict=False))
        for rec in frame.to_dict("records") if "from_name" in frame.columns else ():  # route legs
            names.update({rec[f"{end}_name"]: leg_end_name(rec, end) for end in ("from", "to") if rec.get(f"{end}_name")})
        frame = frame.assign(note=[vocab.route_text(n, names) for n in frame["note"]])
    if "name_en" not in frame.columns or "name" in frame.columns:
        return frame
    return with_name(frame)


def table(name: str, frame: pd.DataFrame | None, title: str = "") -> Table | None:
    """A table without geometry (places and zones get a ``name`` column in the reader's language)."""
    if frame is None:
        return None
    return Table(name, _named(frame), _default_title(name, title))


def points(name: str, frame: pd.DataFrame | None, title: str = "", lon: str = "lon", lat: str = "lat") -> Table | None:
    """A table whose rows are points (``lon``/``lat`` columns)."""
    if frame is None:
        return None
    return Table(name, _named(frame), _default_title(name, title),
                 lambda df: export.points_frame(df, lon, lat))


def cells(name: str, frame: pd.DataFrame | None, title: str = "") -> Table | None:
    """A table of H3 cells (``cell`` column): hexagon polygons, the cell as hex text."""
    if frame is None:
        return None
    return Table(name, frame.assign(cell=[export.cell_hex(c) for c in frame["cell"]]) if "cell" in frame else frame,
                 _default_title(name, title), export.cells_frame)


def lines(name: str, frame: pd.DataFrame | None, start: tuple[str, str], end: tuple[str, str], title: str = "") -> Table | None:
    """A table of straight lines from the ``start`` (lon, lat) columns to the ``end`` ones (corridors)."""
    if frame is None:
        return None
    return Table(name, frame, _default_title(name, title),
                 lambda df: export.lines_frame(df, start, end))


def paths(name: str, frame: pd.DataFrame | None, title: str = "", path: str = "path") -> Table | None:
    """A table with a column of [lat, lon] point lists (route legs)."""
    if frame is None:
        return None
    return Table(name, frame, _default_title(name, title), lambda df: export.path_frame(df, path))


def route(name: str, legs: pd.DataFrame | None, stops: pd.DataFrame | None, title: str = "") -> Table | None:
    """A route's legs (lines, as ``paths``) with the whole route as GPX and as one GeoJSON file (stops and legs)."""
    if legs is None or stops is None:
        return None
    return Table(name, _named(legs), _default_title(name, title), lambda df: export.path_frame(df, "path"),
                 files=(("GPX", "gpx", f"{name}-gpx", lambda: export.route_gpx(legs, stops)),
                        (N_("Route GeoJSON"), "geojson", f"{name}-stops-and-legs", lambda: export.route_geojson(legs, stops))))


def zones(name: str, zones_geojson: str, frame: pd.DataFrame | None = None, title: str = "") -> Table:
    """Zone polygons (the zones GeoJSON) with ``frame``'s columns joined on ``zone_id``."""
    base = frame if frame is not None else pd.DataFrame({"zone_id": []})
    return Table(name, base, _default_title(name, title),
                 lambda df: export.zones_frame(zones_geojson, df if frame is not None else None))


def record(name: str, value: Any, title: str = "") -> Table | None:
    """A frozen record (a service's dataclass, e.g. a zone summary) as a one-row table; None gives None.

    Fields that are DataFrames are left out (offer them as tables of their own).
    """
    if value is None:
        return None
    fields = {k: v for k, v in vars(value).items() if not isinstance(v, pd.DataFrame)}
    return table(name, pd.DataFrame([fields]), title)


def kpis(value: Any, name: str = "kpis") -> Table | None:
    """The Overview's ``presence.Kpis`` as numbers: a row per measure, this period, previous period, change."""
    from geo.report.tables import kpi_frame

    return None if value is None else table(name, kpi_frame(value), N_("KPIs against the previous period"))


def flow_totals(value: Any, level: str, name: str = "totals") -> Table | None:
    """The Flows page's ``movement.FlowTotals`` as a one-row table."""
    from geo.report.tables import flow_totals_frame

    return None if value is None else table(name, flow_totals_frame(value, level), N_("Trip totals"))


def fetch(service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``state.call(service, ...)``, or None when the data it needs is not built (the page said so already)."""
    try:
        return state.call(service, *args, **kwargs)
    except AtlasError:
        return None


def _simulated() -> bool:
    try:
        return bool(state.call(catalog.is_simulated))
    except AtlasError:  # a missing meta table only loses the label in captions
        return False


def _caption(filters: Filters | None, fields: Sequence[str], extra: Mapping[str, object], simulated: bool) -> list[str]:
    lines = [filter_caption(filters, fields, extra)]
    if simulated:
        lines.append(text("simulated_footer"))
    lines.append(text("exported", when=f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"))
    return [line for line in lines if line]


def _about(page: str, filters: Filters | None, fields: Sequence[str], extra: Mapping[str, object],
           simulated: bool) -> list[tuple[str, str]]:
    rows = [(_("Page"), page), (_("Filters"), filter_caption(filters, fields, extra) or _("none apply")),
            (_("Visitor data"), _("SIMULATED") if simulated else _("real")),
            (_("Exported (UTC)"), f"{datetime.now(UTC):%Y-%m-%d %H:%M}"),
            (_("Database"), state.app_settings().db_path.name)]
    if filters is not None:
        rows.append((_("Filters (JSON)"), json.dumps({
            "start": filters.start.isoformat(), "end": filters.end.isoformat(), "weekdays": list(filters.weekdays),
            "hours": list(filters.hours), "segments": list(filters.segments),
            "categories": list(filters.categories), **{k: str(v) for k, v in extra.items()}})))
    return rows


def _in_language(data: Callable[[], bytes | str]) -> Callable[[], bytes | str]:
    """``data`` made in this run's language: Streamlit calls a deferred download on a thread of its own, where the
    language of the script run (a context variable) is not set."""
    lang = get_language()

    def made() -> bytes | str:
        set_language(lang)
        return data()

    return made


def _button(label: str, data: Callable[[], bytes | str], name: str, key: str) -> None:
    ext = name.rsplit(".", 1)[-1]
    st.download_button(label, data=_in_language(data), file_name=name, mime=export.MIME.get(ext, "application/octet-stream"),
                       key=key, on_click="ignore", help=markdown_text(name), width="stretch")


def _unique(parts: list[str], wanted: str) -> str:
    part, n = wanted or "item", 2
    while part in parts:
        part, n = f"{wanted}-{n}", n + 1
    parts.append(part)
    return part


def _chart_part(item: state.Drawn) -> str:
    words = slug(item.title).split("-")
    short = "-".join(words[:6]) if words and words[0] else ""
    return short or slug(item.builder.__name__.removesuffix("_chart"))


def _map_part(page: str, item: state.Drawn) -> str:
    part = slug(item.key)
    return part.removeprefix(f"{page}-") or "map"


def _report_bytes(filters: Filters, events: tuple[str, ...] | None = None) -> Callable[[], bytes]:
    key = state.connection_key()
    settings = state.app_settings()

    def build() -> bytes:
        from geo.report.pack import ReportOptions, build_report

        cur = state.connection(key).cursor()
        try:
            options = ReportOptions(filters=filters, calendar=settings.seed_dir / "calendar.csv",
                                    database=settings.db_path.name, events=events)
            return build_report(cur, options).pdf
        finally:
            cur.close()

    return build


def section(
    page: str,
    filters: Filters | None,
    *tables: Table | None,
    fields: Sequence[str] = FILTER_FIELDS,
    extra: Mapping[str, object] | None = None,
    report: bool = True,
    report_filters: Filters | None = None,
    report_events: tuple[str, ...] | None = None,
) -> None:
    """Draw the Export section (see the module docstring) for ``page`` under ``filters``.

    ``fields`` are the shared filters that apply to the page (file names and captions mention only
    those); ``extra`` the page's own choices (season, hour, level, ...), in names and captions too.
    ``report_filters`` is the report pack's period when it is not ``filters`` (else the filters, else the
    session's last chosen filters); ``report_events`` the events its events section shows (None: those of the
    period).
    """
    extra = dict(extra or {})
    public = state.app_settings().is_public
    items = list(state.drawn())
    simulated = _simulated()
    caption = _caption(filters, fields, extra, simulated)
    shown_tables = [] if public else [t for t in tables if t is not None and t.frame is not None]
    with st.expander(_(SECTION_LABEL), icon=":material/download:"):
        st.caption(markdown_text(_("Files for what this page shows, as filtered: {filters}. Each file is made when "
                                   "you click its button.").format(filters=caption[0] or _("no filters apply"))))

        def name(ext: str, part: str = "") -> str:
            return file_name(page, filters, ext, part=part, fields=fields, extra=extra)

        if shown_tables:
            st.markdown(_("**Data**"))
            for t in shown_tables:
                cols = st.columns([3, 1, 1, 1])
                cols[0].markdown(markdown_text(_("{title} ({n} rows)").format(title=_(t.title), n=f"{len(t.frame):,}")))
                frame = t.frame
                with cols[1]:
                    _button("CSV", lambda f=frame: export.csv_bytes(f), name("csv", t.name), f"exp_{page}_{t.name}_csv")
                if t.geometry is not None:
                    geo_of = t.geometry
                    with cols[2]:
                        _button("GeoJSON", lambda f=frame, g=geo_of: export.geojson_bytes(g(f)), name("geojson", t.name),
                                f"exp_{page}_{t.name}_geojson")
                    with cols[3]:
                        _button("GeoParquet", lambda f=frame, g=geo_of: export.geoparquet_bytes(g(f)),
                                name("parquet", t.name), f"exp_{page}_{t.name}_parquet")
                if t.files:
                    cols = st.columns([3, 1, 1, 1])
                    cols[0].caption(markdown_text(_("{title}: the whole route").format(title=_(t.title))))
                    for k, (label, ext, part, make) in enumerate(t.files[:3]):
                        with cols[k + 1]:
                            _button(_(label), make, name(ext, part), f"exp_{page}_{t.name}_{k}_{ext}")
            sheets = {t.name: t.frame for t in shown_tables}
            about = _about(page, filters, fields, extra, simulated)
            _button(_("All tables as Excel (.xlsx)"), lambda: export.xlsx_bytes(sheets, about), name("xlsx"),
                    f"exp_{page}_xlsx")
        charts = [i for i in items if i.kind == "chart"]
        if charts:
            st.markdown(_("**Charts**"))
            parts: list[str] = []
            for i, item in enumerate(charts):
                part = _unique(parts, _chart_part(item))
                cols = st.columns([4, 1, 1])
                cols[0].markdown(markdown_text(item.title or part))  # the chart title, in the page's language

                def draw(item: state.Drawn = item) -> Any:
                    return item.builder(*item.args, **item.kwargs)

                with cols[1]:
                    _button("PNG", lambda d=draw: export.chart_png(d(), caption), name("png", part), f"exp_{page}_c{i}_png")
                with cols[2]:
                    _button("SVG", lambda d=draw: export.chart_svg(d(), caption), name("svg", part), f"exp_{page}_c{i}_svg")
        maps = [i for i in items if i.kind == "map"]
        if maps:
            st.markdown(_("**Maps**"))
            parts = []
            for i, item in enumerate(maps):
                part = _unique(parts, _map_part(page, item))
                cols = st.columns([4, 1, 1])
                cols[0].markdown(markdown_text(_("Map: {name}").format(name=item.key.replace("_", " "))))

                def build(item: state.Drawn = item) -> Any:
                    return item.builder(*item.args, **item.kwargs)

                def html(b: Callable[[], Any] = build, part: str = part) -> bytes:
                    return export.standalone_map_html(b(), f"Tourism Atlas · {page} · {part}", caption).encode("utf-8")

                def png(b: Callable[[], Any] = build, part: str = part) -> bytes:
                    from geo.render.static_map import map_png

                    return map_png(b(), title=f"Tourism Atlas · {page} · {part}", caption=caption)

                with cols[1]:
                    _button("HTML", html, name("html", part), f"exp_{page}_m{i}_html")
                with cols[2]:
                    _button("PNG", png, name("png", part), f"exp_{page}_m{i}_png")
        report_filters = report_filters or filters or state.chosen_filters()
        if report and not public and report_filters is not None:
            st.markdown(_("**Report pack**"))
            st.caption(_("Every officials' page for these filters in one printable A4 PDF: KPIs against the previous "
                         "period, maps, charts, top tables and sources. Takes a few seconds."))
            _button(_("Report pack (PDF)"), _report_bytes(report_filters, report_events),
                    file_name("report", report_filters, "pdf", fields=FILTER_FIELDS), f"exp_{page}_report")
        if public:
            st.caption(_("Public view: pictures of the maps and charts shown here; data tables and the report pack "
                         "are for officials."))
