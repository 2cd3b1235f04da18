"""The report pack's "Events and forecast" section: what the Events page shows, for the events of the report's period.

For each event of the calendar whose days overlap the period and have presence data (or the events asked for
by id, ``ReportOptions.events``): its days against the baseline (visitors per day, overnight share, busiest
hours), the uplift per tourism zone, the change map per H3 cell on the page's diverging scale, the shift in
origin mix (segment groups and the origins that moved most) and the hours of day. Then the 12-week forecast
of the city (or the report's zone) with its backtest error. Everything comes from ``geo.services.events`` and
``geo.services.forecast`` (the page's own services) and is labelled as the page labels it: estimated people
("estimate") or observed devices, simulated flows, forecast.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import duckdb
import pandas as pd

from geo.errors import AtlasError
from geo.i18n import _, format_number, format_percent
from geo.render import event_charts, event_maps
from geo.render.charts import GROUP_LABELS
from geo.render.report_doc import Figure, Kpi, KpiTable, Paragraph, Table
from geo.render.report_text import text
from geo.report import tables as T
from geo.report.naming import day_text
from geo.services import events, forecast
from geo.services.filters import Filters
from geo.services.measure import MEASURE_LABELS, is_estimate
from geo.vocab import origin_label

#: Events in one report at most (the rest are named in a note; ``--events`` picks others).
MAX_EVENTS = 6
#: Origins listed in an event's origin table (those whose share moved most).
TOP_ORIGINS = 8


def _day(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value  # type: ignore[return-value]


def events_in_period(con: duckdb.DuckDBPyConnection, filters: Filters, zone: str | None = None,
                     chosen: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The calendar's events the report covers: ``chosen`` ids (in that order) when given, else every event with
    presence data whose days overlap the period, first day first; with ``zone``, only events held there or
    city-wide. Columns of ``geo.services.events.list_events``."""
    cal = events.list_events(con)
    if chosen is not None:
        order = {e: i for i, e in enumerate(chosen)}
        out = cal[cal["event_id"].isin(order)]
        return out.sort_values("event_id", key=lambda ids: ids.map(order)).reset_index(drop=True)
    start = [_day(d) for d in cal["start_day"]]
    end = [_day(d) for d in cal["end_day"]]
    keep = [(s <= filters.end and e >= filters.start and n > 0
             and (zone is None or not z or zone in z))
            for s, e, n, z in zip(start, end, cal["days_with_data"], cal["zones"], strict=True)]
    out = cal[keep].copy()
    out["_start"] = [s for s, k in zip(start, keep, strict=True) if k]
    return out.sort_values(["_start", "event_id"]).drop(columns="_start").reset_index(drop=True)


def _measure_label(measure: str) -> str:
    label = _(MEASURE_LABELS.get(measure, measure))
    return _("{label} (estimate)").format(label=label) if is_estimate(measure) else label


def _pct(value: float | None) -> str:
    return T.DASH if value is None or pd.isna(value) else f"{value:+.1%}"


def _hours(hours: tuple[int, ...] | list[int]) -> str:
    return ", ".join(f"{h:02d}:00" for h in hours) or T.DASH


def _busiest(frame: pd.DataFrame, column: str) -> tuple[int, ...]:
    busy = frame[frame[column] > 0].sort_values([column, "hour"], ascending=[False, True])
    return tuple(int(h) for h in busy.head(events.BUSIEST)["hour"])


def event_blocks(impact: events.EventImpact, *, lang: str, zone: str | None, zone_name: Callable[[str], str],
                 zones_geojson: str, simulated: bool, chart: Callable[..., Figure],
                 picture: Callable[..., Figure]) -> list:
    """One event's blocks (see the module docstring); ``chart`` and ``picture`` turn an Altair chart and a Folium
    map into report figures (the report builder's own)."""
    w = impact.window
    measure = _measure_label(impact.measure)
    days = day_text(w.start_day, lang) + ("" if w.end_day == w.start_day else f" – {day_text(w.end_day, lang)}")
    where = ", ".join(zone_name(z) for z in w.zones) if w.zones else _("every zone")
    blocks: list = [Paragraph(f"{w.name} · {days} · {where}", "heading")]
    blocks.append(Paragraph(_(
        "{n_e} event day(s) with data against {n_b} baseline day(s): the same weekdays 1 to {weeks} weeks before "
        "and after, without days of any event of the calendar. Measure: {m}.{sim}").format(
        n_e=len(w.event_days), n_b=len(w.baseline_days), weeks=events.BASELINE_WEEKS, m=measure,
        sim=_(" Simulated flows: the effects are the simulator's (data/README.md), not observations.") if simulated
        else ""), "note"))
    on_e, on_b = impact.overnight_share_event, impact.overnight_share_baseline
    per_day = text("kpi_per_day", lang)
    if is_estimate(impact.measure):
        per_day = _("{label} (estimate)").format(label=per_day)
    blocks.append(KpiTable((text("measure", lang), _("Event days"), _("Baseline days"), text("change", lang)), (
        Kpi(per_day, format_number(impact.visitors_event, decimals=1),
            format_number(impact.visitors_baseline, decimals=1), _pct(impact.uplift)),
        Kpi(_("Overnight share"), T.fmt_share(on_e), T.fmt_share(on_b),
            "" if on_e is None or on_b is None else _("{n} pp").format(n=f"{(on_e - on_b) * 100:+.1f}")),
        Kpi(_("Busiest hours (event days)"), _hours(impact.busiest_hours), _hours(_busiest(impact.hours,
                                                                                          "baseline_mean"))),
    )))

    zones = impact.zones
    if zone:
        zones = zones[zones["zone_id"] == zone]
    zones = zones.sort_values(["in_event", "change"], ascending=[False, False])
    rows = tuple((zone_name(r["zone_id"]), "✓" if r["in_event"] else "", format_number(r["event_mean"], decimals=1),
                  format_number(r["baseline_mean"], decimals=1), f"{r['change']:+,.1f}", _pct(r["uplift"]))
                 for r in zones.to_dict("records"))
    blocks.append(Table(_("Uplift per zone"), (text("col_zone", lang), _("Event held here"), _("Event, per day"),
                                               _("Baseline, per day"), _("Change"), _("Uplift")), rows,
                        (False, False, True, True, True, True)))
    cells = impact.cells if not zone else impact.cells[impact.cells["zone_id"] == zone]
    m = event_maps.change_map(cells, zones_geojson, title=_("Change in people-hours per day, event against baseline"),
                              unit=_("people-hours per day"), note=_("Simulated flows") if simulated else "")
    cell_measure = _measure_label(impact.measures["cells"])
    blocks.append(picture(m, _("Change per H3 cell"), _(
        "People-hours of visitors per day ({m}) on the event's days minus the baseline days; red more, blue fewer; "
        "the scale is symmetric around no change.").format(m=cell_measure)))

    groups = tuple((_(GROUP_LABELS[g]) if g in GROUP_LABELS else str(g), T.fmt_share(e), T.fmt_share(b),
                    f"{s:+.1f}")
                   for g, e, b, s in zip(impact.groups["segment_group"], impact.groups["event_share"],
                                         impact.groups["baseline_share"], impact.groups["shift"], strict=True))
    blocks.append(Table(_("Origin mix"), (_("Segment group"), _("Event share"), _("Baseline share"), _("Shift (pp)")),
                        groups, (False, True, True, True)))
    moved = impact.origins.assign(size=impact.origins["shift"].abs()).sort_values("size", ascending=False)
    origins = tuple((origin_label(str(r["segment"]), lang), T.fmt_share(r["event_share"]),
                     T.fmt_share(r["baseline_share"]), f"{r['shift']:+.1f}")
                    for r in moved.head(TOP_ORIGINS).to_dict("records"))
    if origins:
        blocks.append(Table("", (_("Origin"), _("Event share"), _("Baseline share"), _("Shift (pp)")), origins,
                            (False, True, True, True)))
    blocks.append(chart(event_charts.event_hours_chart(
        impact.hours, _("People present by hour: event against baseline ({where})").format(where=where))))
    return blocks


def forecast_blocks(con: duckdb.DuckDBPyConnection, *, lang: str, zone: str | None, zone_name: Callable[[str], str],
                    chart: Callable[..., Figure]) -> list:
    """The forecast of the city (or ``zone``) with its interval, every zone's backtest error, the method."""
    blocks: list = [Paragraph(_("Forecast: the next 12 weeks"), "heading")]
    try:
        weekly = forecast.weekly_forecast(con)
        errors = forecast.backtest_errors(con)
        about = forecast.forecast_about(con)
    except AtlasError as exc:
        return [*blocks, Paragraph(str(exc), "note")]
    if weekly.empty:
        return [*blocks, Paragraph(_("The data are too short for a forecast (at least 8 complete weeks are needed)."),
                                   "note")]
    target = zone if zone and zone in set(weekly["zone_id"]) else "all"
    label = about.get("label", _("Forecast"))
    names = {"all": _("Whole city")}
    if about.get("simulated"):
        blocks.append(Paragraph(_("{label}: a forecast of the simulated sample, not of real visitors.").format(
            label=label), "warning"))
    blocks.append(chart(event_charts.forecast_chart(weekly[weekly["zone_id"] == target], _(
        "{label}: visitors per day, week by week, {zone}").format(label=label,
                                                                  zone=names.get(target) or zone_name(target)))))
    rows = tuple((names.get(r["zone_id"]) or zone_name(r["zone_id"]), T.fmt_int(r["weeks"]),
                  T.DASH if r["mape"] is None else format_percent(r["mape"]),
                  format_number(r["mae"], decimals=1), format_percent(r["coverage"]))
                 for r in errors.to_dict("records"))
    blocks.append(Table(_("Backtest error (MAPE)"), (text("col_zone", lang), _("Weeks held out"),
                                                   _("MAPE"), _("MAE (per day)"), _("In interval")), rows,
                        (False, True, True, True, True)))
    blocks.append(Paragraph(_("Method: {method}. Interval: {p:.0%}. Fitted {built} UTC at build time. With one "
                              "year of data the model has no yearly season: it carries the recent level and "
                              "trend forward and does not know the coming high or low season.").format(
        method=about.get("method", ""), p=float(about.get("interval", 0.8)), built=about.get("built_at", "")), "note"))
    return blocks
