"""Build the report pack: the officials' pages for one period and set of filters as one printable A4 PDF.

``build_report(con, options)`` asks the services what the pages ask (same functions, same ``Filters``),
draws the charts with ``geo.render.charts`` (to SVG with vl-convert) and the maps with the page's own map
builders (to PNG with ``geo.render.static_map``), and typesets everything with ``geo.render.report_doc``:
a title page (destination, period, the previous period it is compared with, filters, zone, data build
time, report time, the SIMULATED banner when any dataset is simulated), then one section per page
(KPIs with the change against the previous period, a map with its legend, the charts, the top tables)
and the data sources and definitions. Every page's footer carries the period, the SIMULATED label and
the page number. Used by ``python -m geo report`` and the report button of every officials' page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from geo.errors import AtlasError, FilterError
from geo.i18n import LANGUAGE_NAMES, LANGUAGES, _, display_name, format_number, month_name, using_language
from geo.render import capacity_maps, charts, flow_maps, place_maps, presence_maps
from geo.render.export import chart_svg
from geo.render.fonts import families
from geo.render.report_doc import Figure, KpiTable, Paragraph, ReportDoc, Section, Table, render_pdf
from geo.render.report_text import text
from geo.render.static_map import map_png
from geo.report import tables as T
from geo.report.naming import day_text, filter_caption
from geo.services import capacity, catalog, geography, movement, presence
from geo.services import events as events_service
from geo.services.filters import Filters, default_filters
from geo.vocab import CATEGORY_LABELS, LAYER_LABELS, translate_origin

#: Report sections in their order; ``--sections`` picks a subset.
SECTIONS: tuple[str, ...] = ("overview", "density", "flows", "capacity", "places", "events")
#: Rows in each top table.
TOP_ROWS = 15
#: Resolution of map images (dots per inch at their printed width of ~17 cm).
MAP_DPI = 130


@dataclass(frozen=True)
class ReportOptions:
    """What the report covers: ``filters`` (period and the shared filters), language, zone, sections.

    ``zone`` (a zone id, or None for the whole province) narrows every section to one zone; ``calendar``
    is the festival file the seasonality chart marks; ``floor`` the privacy floor (0 for officials);
    ``events`` the event ids the events section shows (None: the calendar's events in the period).
    """

    filters: Filters
    lang: str = "en"
    zone: str | None = None
    sections: tuple[str, ...] = SECTIONS
    calendar: Path | None = None
    floor: int = 0
    database: str = ""
    events: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.lang not in LANGUAGES:
            msg = _("Report language must be one of {choices}, got {lang!r}.").format(
                choices=", ".join(LANGUAGES), lang=self.lang)
            raise FilterError(msg)
        unknown = [s for s in self.sections if s not in SECTIONS]
        if unknown or not self.sections:
            msg = _("Unknown report section {names}: choose from {choices}.").format(
                names=", ".join(unknown) or _("(none given)"), choices=", ".join(SECTIONS))
            raise FilterError(msg)


@dataclass(frozen=True)
class ReportResult:
    """The PDF and what it took: seconds per step and the document it was typeset from."""

    pdf: bytes
    doc: ReportDoc
    seconds: dict[str, float] = field(default_factory=dict)



def _class_name(label: str) -> str:
    """A pressure class's name without its thresholds ("Moderate (0.50–0.79)" → "Moderate"; "中（0.50–0.79）" → "中"),
    so the table's class column stays narrow and never interleaves with the zone names beside it."""
    return re.split(r"\s*[(（]", label, maxsplit=1)[0]

def report_filters(con: duckdb.DuckDBPyConnection, start: date | None = None, end: date | None = None) -> Filters:
    """The report's filters: the pages' default period (the last 90 days of data) unless ``start``/``end`` given."""
    tables = catalog.tables(con)
    if tables.get("visits_hourly", 0):
        first, last = catalog.date_bounds(con)
    else:
        first, last = date(2025, 11, 1), date(2026, 10, 31)
    base = default_filters(first, last)
    start = start or (base.start if end is None else max(first, end - (base.end - base.start)))
    end = end or base.end
    if start > end:
        msg = _("--from {start} is after --to {end}.").format(start=start, end=end)
        raise FilterError(msg)
    return replace(base, start=start, end=end)




class _Builder:
    """Gathers one report: the sections in order, each from its services, charts and map."""

    def __init__(self, con: duckdb.DuckDBPyConnection, options: ReportOptions):
        self.con, self.o = con, options
        self.f, self.lang = options.filters, options.lang
        self.zones = geography.list_zones(con)
        self.zones_geojson = geography.zones_geojson(con)
        self.zone_en = dict(zip(self.zones["zone_id"], self.zones["name_en"], strict=True))
        self.zone_names = {rec["zone_id"]: display_name(rec, self.lang) for rec in self.zones.to_dict("records")}
        if options.zone is not None and options.zone not in self.zone_en:
            msg = _("Unknown zone {zone!r}: choose from {choices}.").format(zone=options.zone,
                                                                            choices=", ".join(self.zone_en))
            raise FilterError(msg)
        self.caption = filter_caption(self.f, lang=self.lang)
        self.seconds: dict[str, float] = {}

    def zone_name(self, zone_id: str | None) -> str:
        if not zone_id:
            return ""
        return self.zone_names.get(zone_id) or self.zone_en.get(zone_id, zone_id)

    @property
    def label_field(self) -> str:
        return "name"  # the zones' name in the report's language (geo.render.base adds it to every zone)

    def chart(self, chart: object, caption: str = "") -> Figure:
        return Figure(chart_svg(chart), "svg", caption or self.caption)

    def map(self, m: object, title: str, caption: str = "") -> Figure:
        png = map_png(m, title=title, label_field=self.label_field, dpi=MAP_DPI, width_in=8.0)  # type: ignore[arg-type]
        return Figure(png, "png", caption or self.caption)

    def overview(self) -> list:
        f, lang, zone = self.f, self.lang, self.o.zone
        blocks: list = []
        header = (text("measure", lang), text("this_period", lang), text("previous", lang), text("change", lang))
        if zone:
            cur = presence.zone_summary(self.con, f, zone, floor=self.o.floor)
            prev = presence.zone_summary(self.con, f.previous_period(), zone, floor=self.o.floor)
            if cur is not None:
                blocks.append(KpiTable(header, tuple(T.zone_kpis(cur, prev if prev and prev.days_with_data else None,
                                                                    lang))))
        else:
            k = presence.kpis(self.con, f)
            blocks.append(KpiTable(header, tuple(T.overview_kpis(k, lang, self.zone_names))))
            if k.note:
                blocks.append(Paragraph(presence.kpi_note(k), "note"))
        blocks.append(Paragraph(_(presence.VISITORS_DEFINITION), "note"))
        season = presence.seasonality(self.con, f)
        if not season.empty and not zone:
            festivals = presence.festival_days(self.con, self.o.calendar) if self.o.calendar else pd.DataFrame(
                columns=["start", "end", "name", "applies_to"])
            blocks.append(self.chart(charts.seasonality_chart(season, festivals, f.start, f.end),
                                     self.caption + " · " + _("whole data span for the seasonality")))
        if zone:
            profile = presence.hour_profile(self.con, f, zone, floor=self.o.floor)
            if not profile.empty:
                blocks.append(self.chart(charts.hour_chart(
                    profile, _("{zone}: people present by hour").format(zone=self.zone_name(zone)), f.hours)))
        else:
            hw = presence.hour_weekday(self.con, f)
            if not hw.empty:
                blocks.append(self.chart(charts.hour_weekday_chart(hw)))
        mix = presence.origin_mix(self.con, f, zone or "", 12, floor=self.o.floor)
        if not mix.empty:
            blocks.append(self.chart(charts.origin_chart(mix)))
            blocks.append(Table(text("origins", lang), (text("col_origin", lang), text("col_people_days", lang),
                                                        text("col_share", lang)),
                                T.rows_of(mix, [("origin", lambda o: translate_origin(str(o))),
                                                ("visitors", T.fmt_int), ("share", T.fmt_share)]),
                                (False, True, True)))
        places = presence.top_places(self.con, f, zone or "", TOP_ROWS, floor=self.o.floor)
        title = text("top_places_zone" if zone else "top_places", lang)
        if places.empty:
            blocks.append(Paragraph(f"{title}: {text('no_data', lang)}", "note"))
        else:
            rows = tuple(
                (T.name_of(r, lang), _category(r["category"]),
                 self.zone_name(r.get("zone_id")) or str(r.get("zone_name") or ""),
                 T.fmt_int(r["visits"]), T.DASH if pd.isna(r["avg_dwell_minutes"]) else f"{r['avg_dwell_minutes']:.0f}")
                for r in places.to_dict("records"))
            blocks.append(Table(title, (text("col_place", lang), text("col_category", lang), text("col_zone", lang),
                                        text("col_visits", lang), text("col_dwell", lang)), rows,
                                (False, False, False, True, True)))
        return blocks

    def density(self) -> list:
        f, lang, zone = self.f, self.lang, self.o.zone
        cells = presence.cell_density(self.con, f, "range", None, floor=self.o.floor)
        if zone:
            cells = cells[cells["zone_id"] == zone].reset_index(drop=True)
        blocks: list = []
        if cells.empty:
            return [Paragraph(text("no_data", lang), "note")]
        top = cells.sort_values("present", ascending=False).iloc[0]
        header = (text("measure", lang), text("this_period", lang), "", "")
        blocks.append(KpiTable(header, (
            T.Kpi(text("kpi_present", lang), format_number(round(cells["present"].sum()))),
            T.Kpi(text("kpi_busiest_cell", lang), format_number(top["present"], decimals=1),
                  self.zone_name(top["zone_id"])),
            T.Kpi(text("kpi_cells", lang), format_number(len(cells))),
        )))
        months = presence.season_months("range", f)
        note = _("{n} cells · months {months}").format(
            n=format_number(len(cells)), months=", ".join(month_name(m, lang, "abbreviated") for m in months))
        m = presence_maps.choropleth_map(cells, self.zones_geojson, note=note)
        blocks.append(self.map(m, text("map_density", lang), text("density_note", lang) + " " + self.caption))
        profile = presence.hour_profile(self.con, f, zone or "", floor=self.o.floor)
        if not profile.empty:
            title = (_("{zone}: people present by hour").format(zone=self.zone_name(zone)) if zone
                     else _("People present by hour (average day)"))
            blocks.append(self.chart(charts.hour_chart(profile, title, f.hours)))
        by_zone = T.presence_by_zone(cells, {z: self.zone_name(z) for z in self.zone_en})
        blocks.append(Table(text("presence_by_zone", lang), (text("col_zone", lang), text("col_present", lang),
                                                             text("col_cells", lang)),
                            T.rows_of(by_zone.head(TOP_ROWS), [("zone", str), ("present", T.fmt_per_day),
                                                               ("cells", T.fmt_int)]), (False, True, True)))
        blocks.append(Paragraph(_(presence.PRESENT_DEFINITION), "note"))
        return blocks

    def flows(self) -> list:
        f, lang, zone = self.f, self.lang, self.o.zone
        totals = movement.flow_totals(self.con, f, "zone")
        corridors = movement.top_corridors(self.con, f, "zone", movement.MAX_CORRIDORS if zone else 20)
        if zone:
            corridors = corridors[(corridors["origin"] == zone) | (corridors["destination"] == zone)].head(20)
        header = (text("measure", lang), text("this_period", lang), "", "")
        blocks: list = [KpiTable(header, (
            T.Kpi(text("kpi_corridor_trips", lang), T.fmt_int(totals.corridor_trips)),
            T.Kpi(text("kpi_internal_trips", lang), T.fmt_int(totals.internal_trips)),
            T.Kpi(text("kpi_corridors", lang), T.fmt_int(totals.corridors)),
        ))]
        caption = filter_caption(f, ("dates", "weekdays", "segments"), lang=lang)
        if corridors.empty:
            blocks.append(Paragraph(text("no_data", lang), "note"))
            return blocks
        blocks.append(self.map(flow_maps.corridor_map(corridors, self.zones_geojson, level="zone"),
                               text("map_flows", lang), text("flows_note", lang) + " " + caption))
        table = corridors.head(TOP_ROWS)
        rows = tuple(
            (T.name_of(r, lang, "origin_"), T.name_of(r, lang, "destination_"),
             T.fmt_int(r["trips"]), format_number(r["trips_per_day"], decimals=1), T.fmt_share(r["share"]))
            for r in table.to_dict("records"))
        blocks.append(Table(text("top_corridors", lang), (text("col_from", lang), text("col_to", lang),
                                                          text("col_trips", lang), text("col_trips_day", lang),
                                                          text("col_share", lang)), rows,
                            (False, False, True, True, True)))
        return blocks

    def capacity(self) -> list:
        f, lang, zone = self.f, self.lang, self.o.zone
        sd = capacity.supply_demand(self.con, f)
        header = (text("measure", lang), text("this_period", lang), "", "")
        blocks: list = [KpiTable(header, (
            T.Kpi(text("kpi_beds", lang), T.fmt_int(sd["beds"].sum())),
            T.Kpi(text("kpi_rooms", lang), T.fmt_int(sd["rooms"].sum())),
            T.Kpi(_("{label} (estimate)").format(label=text("kpi_overnight_night", lang)),
                  T.fmt_per_day(sd["est_overnight_per_night"].sum())),
            T.Kpi(text("kpi_over_capacity", lang), T.fmt_int((sd["pressure_class"] == "over").sum())),
        ))]
        caption = filter_caption(f, ("dates", "weekdays", "segments"), lang=lang)
        blocks.append(self.map(capacity_maps.pressure_map(self.zones_geojson, sd), text("map_capacity", lang),
                               text("capacity_note", lang) + " " + caption))
        blocks.append(self.chart(charts.supply_demand_chart(sd), caption))
        shown = sd[sd["zone_id"] == zone] if zone else sd
        rows = tuple(
            (self.zone_name(r["zone_id"]), T.fmt_int(r["accommodations"]), T.fmt_int(r["rooms"]), T.fmt_int(r["beds"]),
             T.fmt_per_day(r["est_overnight_per_night"]),
             T.DASH if pd.isna(r["pressure"]) else format_number(r["pressure"], decimals=2),
             _class_name(_(str(r["pressure_label"]))))  # the class; its thresholds are in the note below
            for r in shown.to_dict("records"))
        blocks.append(Table(text("supply_demand", lang), (
            text("col_zone", lang), text("col_accommodations", lang), text("col_rooms", lang), text("col_beds", lang),
            text("kpi_overnight_night", lang), text("col_pressure", lang), text("col_class", lang)), rows,
            (False, True, True, True, True, True, False)))
        blocks.append(Paragraph(_("Overnight visitors and the pressure index are estimates (observed devices × "
                                  "expansion weights) against beds scaled to the published room total; classes: "
                                  "low < 0.50 ≤ moderate < 0.80 ≤ high < 1.00 ≤ over capacity."), "note"))
        return blocks

    def places(self) -> list:
        lang, zone = self.lang, self.o.zone
        places = geography.list_places(self.con)
        if zone:
            places = places[places["zone_id"] == zone].reset_index(drop=True)
        header = (text("measure", lang), text("this_period", lang), "", "")
        blocks: list = [KpiTable(header, (
            T.Kpi(text("kpi_places", lang), T.fmt_int(len(places))),
            T.Kpi(text("kpi_attractions", lang), T.fmt_int((places["layer"] == "attraction").sum())),
            T.Kpi(text("kpi_accommodation", lang), T.fmt_int((places["layer"] == "accommodation").sum())),
            T.Kpi(text("kpi_place_rooms", lang), T.fmt_int(places["rooms"].fillna(0).sum())),
        ))]
        if places.empty:
            return [*blocks, Paragraph(text("no_data", lang), "note")]
        m = place_maps.places_map(places, self.zones_geojson, zoom=11)
        if zone:
            from geo.render.base import fit_to

            fit_to(m, places["lat"].tolist(), places["lon"].tolist())
        blocks.append(self.map(m, text("map_places", lang), text("zones_note", lang)))
        counts = (places.assign(rooms=places["rooms"].fillna(0))
                  .groupby(["layer", "category"], as_index=False).agg(places=("place_id", "count"), rooms=("rooms", "sum")))
        rows = tuple((_(LAYER_LABELS[r["layer"]]) if r["layer"] in LAYER_LABELS else str(r["layer"]),
                      _category(r["category"]), T.fmt_int(r["places"]), T.fmt_int(r["rooms"]))
                     for r in counts.to_dict("records"))
        blocks.append(Table(text("places_by_category", lang), (_("Layer"), text("col_category", lang),
                                                              text("col_places", lang), text("col_rooms", lang)),
                            rows, (False, False, True, True)))
        return blocks

    def events(self) -> list:
        """The Events page for the period: each event's impact (``geo.report.events``), then the forecast."""
        from geo.report import events as E
        from geo.services import catalog as cat

        lang, zone = self.lang, self.o.zone
        simulated = cat.is_simulated(self.con)
        chosen = E.events_in_period(self.con, self.f, zone, self.o.events)
        blocks: list = []
        if chosen.empty:
            blocks.append(Paragraph(_("No event of the calendar with data falls in this period; `python -m geo "
                                      "event list` shows the calendar and `--events` picks events by id."), "note"))
        for rec in chosen.head(E.MAX_EVENTS).to_dict("records"):
            try:
                impact = events_service.event_impact(self.con, rec["event_id"])
            except AtlasError as exc:  # an event without baseline says so; the others still print
                blocks += [Paragraph(str(rec["name"]), "heading"), Paragraph(str(exc), "note")]
                continue
            blocks += E.event_blocks(impact, lang=lang, zone=zone, zone_name=self.zone_name,
                                     zones_geojson=self.zones_geojson, simulated=simulated, chart=self.chart,
                                     picture=self.map)
        if len(chosen) > E.MAX_EVENTS:
            left = ", ".join(str(n) for n in chosen["name"].iloc[E.MAX_EVENTS:])
            blocks.append(Paragraph(_("Also in this period, left out of this report: {names}. Pick events with "
                                      "`--events ID,ID`.").format(names=left), "note"))
        blocks += E.forecast_blocks(self.con, lang=lang, zone=zone, zone_name=self.zone_name, chart=self.chart)
        return blocks

    def sources(self, meta: pd.DataFrame) -> list:
        lang = self.lang
        rows = tuple(
            (str(r["dataset"]), _("SIMULATED") if r["simulated"] else _("real"), _(str(r["sources"])),
             _stamp(pd.Timestamp(r["built_at"]), lang))
            for r in meta.to_dict("records"))
        return [
            Paragraph(text("sources_intro", lang)),
            Table("", (text("col_dataset", lang), text("col_kind", lang), text("col_sources", lang),
                       text("col_built", lang)), rows),
            Table(text("definitions", lang), (text("measure", lang), ""), (
                (text("kpi_visitors", lang), _(presence.VISITORS_DEFINITION)),
                (text("col_present", lang), _(presence.PRESENT_DEFINITION)),
                (text("col_pressure", lang), text("capacity_note", lang)),
                (text("col_zone", lang), text("zones_note", lang)),
                (text("section_flows", lang), text("routes_note", lang)),
            )),
        ]


def _category(category: object) -> str:
    """A place category's label in the current language (its code when the vocabulary does not know it)."""
    label = CATEGORY_LABELS.get(str(category))
    return _(label) if label else str(category)


def _stamp(when: datetime | pd.Timestamp, lang: str) -> str:
    """``2026-12-06 10:15`` in English, the language's date form and the same 24-hour time elsewhere."""
    return f"{day_text(when.date(), lang)} {when:%H:%M}"


def _timed(seconds: dict[str, float], name: str, step: Callable[[], list]) -> list:
    started = time.perf_counter()
    try:
        return step()
    except AtlasError as exc:  # a section whose data is not built says so instead of failing the report
        return [Paragraph(str(exc), "warning")]
    finally:
        seconds[name] = time.perf_counter() - started


def build_document(con: duckdb.DuckDBPyConnection, options: ReportOptions,
                   now: datetime | None = None) -> tuple[ReportDoc, dict[str, float]]:
    """The report's content (see the module docstring) and the seconds each section took, every text in the
    report's language (``options.lang``)."""
    with using_language(options.lang):
        return _build_document(con, options, now)


def _build_document(con: duckdb.DuckDBPyConnection, options: ReportOptions,
                    now: datetime | None) -> tuple[ReportDoc, dict[str, float]]:
    b = _Builder(con, options)
    lang, f = options.lang, options.filters
    meta = catalog.provenance(con)
    simulated = bool(meta["simulated"].any()) if not meta.empty else False
    seconds: dict[str, float] = {}
    sections = [Section(text(f"section_{name}", lang), tuple(_timed(seconds, name, getattr(b, name))))
                for name in options.sections]
    sections.append(Section(text("section_sources", lang), tuple(b.sources(meta))))
    prev = f.previous_period()
    built = f"{_stamp(pd.Timestamp(meta['built_at'].max()), lang)} UTC" if not meta.empty else "—"
    now = now or datetime.now(UTC)
    destination = text("destination", lang)
    facts = (
        (text("period", lang), text("filters_dates", lang, start=day_text(f.start, lang), end=day_text(f.end, lang),
                                    days=f.days)),
        (text("previous_period", lang), text("filters_dates", lang, start=day_text(prev.start, lang),
                                             end=day_text(prev.end, lang), days=prev.days)),
        (text("filters", lang), filter_caption(f, ("weekdays", "hours", "segments", "categories"), lang=lang)),
        (text("zone", lang), b.zone_name(options.zone) if options.zone else text("all_zones", lang)),
        (text("sections", lang), ", ".join(text(f"section_{s}", lang) for s in options.sections)),
        (text("database", lang), options.database or "—"),
        (text("built", lang), built),
        (text("generated", lang), f"{_stamp(pd.Timestamp(now), lang)} UTC"),
        (text("language", lang), f"{LANGUAGE_NAMES.get(lang, lang)} · {text('language_note', lang)}"),
    )
    footer = " · ".join([_("Tourism Atlas · {destination}").format(destination=destination),
                         f"{day_text(f.start, lang)} – {day_text(f.end, lang)}",
                         text("simulated_footer" if simulated else "real_footer", lang)])
    fonts = families(lang)
    doc = ReportDoc(
        title=text("report_title", lang, destination=destination), subtitle=text("report_subtitle", lang),
        facts=facts, banner=text("simulated_banner", lang) if simulated else "", sections=tuple(sections),
        footer=footer, lang=lang, contents_title=text("contents", lang), fonts=tuple(fonts),
    )
    return doc, seconds


def build_report(con: duckdb.DuckDBPyConnection, options: ReportOptions, now: datetime | None = None) -> ReportResult:
    """The report pack as PDF bytes (A4), with the seconds spent gathering, drawing and typesetting."""
    started = time.perf_counter()
    doc, seconds = build_document(con, options, now)
    typeset = time.perf_counter()
    pdf = render_pdf(doc)
    seconds["typeset"] = time.perf_counter() - typeset
    seconds["total"] = time.perf_counter() - started
    return ReportResult(pdf=pdf, doc=doc, seconds=seconds)


def page_count(pdf: bytes) -> int:
    """Pages in a PDF the report wrote (its page objects; enough for Typst's output)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def parse_sections(raw: str | Sequence[str] | None) -> tuple[str, ...]:
    """``overview,density`` → ("overview", "density") in the report's order; None or empty → every section."""
    if raw is None:
        return SECTIONS
    names = [s.strip().lower() for s in (raw.split(",") if isinstance(raw, str) else raw) if s.strip()]
    unknown = [s for s in names if s not in SECTIONS]
    if unknown:
        msg = _("Unknown report section {names}: choose from {choices}.").format(names=", ".join(unknown),
                                                                                 choices=", ".join(SECTIONS))
        raise FilterError(msg)
    return tuple(s for s in SECTIONS if s in names) or SECTIONS
