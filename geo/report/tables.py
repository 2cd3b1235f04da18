"""Service records as export tables and as the report's KPI rows, formatted exactly as the pages show them.

The Overview shows ``12,345`` visitors, ``34.5%`` international share, ``47 min`` dwell, ``14:00`` busiest
hour; the report prints the same texts (``tests/test_report.py`` compares them with the page), and the
KPI export holds the unformatted numbers behind them. Numbers and units are written in the current
language (``geo.i18n``: the report runs in its language), names through ``geo.i18n.display_name``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from geo.i18n import _, display_name, format_number, format_percent
from geo.render.report_doc import Kpi
from geo.render.report_text import text
from geo.services.movement import FlowTotals
from geo.services.presence import Kpis, PeriodKpis, ZoneSummary

DASH = "—"


def fmt_int(value: int | float | None) -> str:
    """``12,345`` (a dash for None)."""
    return DASH if value is None else format_number(int(value))


def fmt_pct_change(change: float | None) -> str:
    """``+3.4%`` (empty when there is no previous period)."""
    return "" if change is None else f"{change:+.1f}%"


def fmt_share(share: float | None) -> str:
    """``34.5%`` (a dash for None)."""
    return DASH if share is None else format_percent(share)


def fmt_hour(hour: int | None) -> str:
    """``14:00`` (a dash for None)."""
    return DASH if hour is None else f"{hour:02d}:00"


def fmt_minutes(minutes: float | None) -> str:
    """``47 min`` (a dash for None)."""
    return DASH if minutes is None else _("{n} min").format(n=f"{minutes:.0f}")


def fmt_per_day(value: float | None) -> str:
    """``1,234`` rounded (a dash for None)."""
    return DASH if value is None else format_number(round(value))


def _zone_name(name: str | None) -> str:
    return name or DASH


def overview_kpis(k: Kpis, lang: str = "en", zone_names: dict[str, str] | None = None) -> list[Kpi]:
    """The Overview's KPI tiles as report rows (this period, previous period, change), same texts as the page.

    ``zone_names`` maps zone ids to their names in ``lang`` (the busiest zone); without it the English name.
    """
    cur, prev, chg = k.current, k.previous, k.change

    def zone(p: PeriodKpis | None) -> str:
        if p is None:
            return ""
        if zone_names and p.busiest_zone_id in zone_names:
            return zone_names[p.busiest_zone_id] or _zone_name(p.busiest_zone_name)
        return _zone_name(p.busiest_zone_name)

    def pp(value: float | None) -> str:
        return "" if value is None else _("{n} pp").format(n=f"{value:+.1f}")

    def mins(value: float | None) -> str:
        return "" if value is None else _("{n} min").format(n=f"{value:+.0f}")

    p = prev
    return [
        Kpi(text("kpi_visitors", lang), fmt_int(cur.visitors), "" if p is None else fmt_int(p.visitors),
            fmt_pct_change(chg.visitors)),
        Kpi(text("kpi_overnight", lang), fmt_int(cur.overnight), "" if p is None else fmt_int(p.overnight),
            fmt_pct_change(chg.overnight)),
        Kpi(text("kpi_day_trippers", lang), fmt_int(cur.day_trippers), "" if p is None else fmt_int(p.day_trippers),
            fmt_pct_change(chg.day_trippers)),
        Kpi(text("kpi_residents", lang), fmt_int(cur.residents), "" if p is None else fmt_int(p.residents),
            fmt_pct_change(chg.residents)),
        Kpi(text("kpi_international_share", lang), fmt_share(cur.international_share),
            "" if p is None else fmt_share(p.international_share), pp(chg.international_share_pp)),
        Kpi(text("kpi_dwell", lang), fmt_minutes(cur.avg_dwell_minutes),
            "" if p is None else fmt_minutes(p.avg_dwell_minutes), mins(chg.avg_dwell_minutes)),
        Kpi(text("kpi_busiest_hour", lang), fmt_hour(cur.busiest_hour), "" if p is None else fmt_hour(p.busiest_hour)),
        Kpi(text("kpi_per_day", lang), fmt_per_day(cur.avg_daily_visitors),
            "" if p is None else fmt_per_day(p.avg_daily_visitors), fmt_pct_change(chg.avg_daily_visitors)),
        Kpi(text("kpi_busiest_zone", lang), zone(cur), zone(p)),
    ]


def kpi_frame(k: Kpis) -> pd.DataFrame:
    """The Overview KPIs as numbers: one row per measure with this period, the previous period and the change."""
    cur, prev, chg = k.current, k.previous, k.change
    rows = [
        ("visitors", "people-days", cur.visitors, prev and prev.visitors, chg.visitors, "%"),
        ("overnight", "people-days", cur.overnight, prev and prev.overnight, chg.overnight, "%"),
        ("day_trippers", "people-days", cur.day_trippers, prev and prev.day_trippers, chg.day_trippers, "%"),
        ("residents", "people-days", cur.residents, prev and prev.residents, chg.residents, "%"),
        ("international", "people-days", cur.international, prev and prev.international, chg.international, "%"),
        ("international_share", "share 0-1", cur.international_share, prev and prev.international_share,
         chg.international_share_pp, "percentage points"),
        ("avg_daily_visitors", "people-days per day", cur.avg_daily_visitors, prev and prev.avg_daily_visitors,
         chg.avg_daily_visitors, "%"),
        ("place_visits", "visits", cur.place_visits, prev and prev.place_visits, None, ""),
        ("avg_dwell_minutes", "minutes per visit", cur.avg_dwell_minutes, prev and prev.avg_dwell_minutes,
         chg.avg_dwell_minutes, "minutes"),
        ("busiest_hour", "hour of day", cur.busiest_hour, prev and prev.busiest_hour, None, ""),
        ("busiest_hour_present", "people present", cur.busiest_hour_present, prev and prev.busiest_hour_present,
         None, ""),
        ("busiest_zone", "zone", cur.busiest_zone_name, prev and prev.busiest_zone_name, None, ""),
        ("busiest_zone_visitors", "people-days", cur.busiest_zone_visitors, prev and prev.busiest_zone_visitors,
         None, ""),
        ("days_with_data", "days", cur.days_with_data, prev and prev.days_with_data, None, ""),
        ("days_expected", "days", cur.days_expected, prev and prev.days_expected, None, ""),
    ]
    frame = pd.DataFrame(rows, columns=["measure", "unit", "this_period", "previous_period", "change",
                                        "change_unit"])
    return frame.astype({"this_period": object, "previous_period": object})


def zone_kpis(cur: ZoneSummary, prev: ZoneSummary | None, lang: str = "en") -> list[Kpi]:
    """A zone's figures against the previous period (the Visitor density page's area summary)."""

    def change(a: float | None, b: float | None) -> str:
        return "" if a is None or b in (None, 0) else fmt_pct_change((a - b) / b * 100)

    def val(s: ZoneSummary | None, attr: str, fmt: object) -> str:
        return "" if s is None else fmt(getattr(s, attr))  # type: ignore[operator]

    def hours(h: float | None) -> str:
        return DASH if h is None else _("{n} h").format(n=format_number(h, decimals=1))

    rows = [("kpi_visitors", "visitors", fmt_int), ("kpi_overnight", "overnight", fmt_int),
            ("kpi_day_trippers", "day_trippers", fmt_int), ("kpi_residents", "residents", fmt_int),
            ("kpi_per_day", "avg_daily_visitors", fmt_per_day)]
    out = [Kpi(text(key, lang), val(cur, attr, fmt), val(prev, attr, fmt),
               change(getattr(cur, attr), None if prev is None else getattr(prev, attr)))
           for key, attr, fmt in rows]
    out.append(Kpi(text("kpi_international_share", lang), fmt_share(cur.international_share),
                   val(prev, "international_share", fmt_share)))
    out.append(Kpi(text("kpi_time_in_zone", lang), hours(cur.hours_per_visitor), val(prev, "hours_per_visitor", hours)))
    return out


def flow_totals_frame(totals: FlowTotals, level: str) -> pd.DataFrame:
    """The Flows page's totals as a one-row table."""
    return pd.DataFrame([{"level": level, "corridor_trips": totals.corridor_trips,
                          "internal_trips": totals.internal_trips, "corridors": totals.corridors}])


def presence_by_zone(cells: pd.DataFrame, zone_names: dict[str, str]) -> pd.DataFrame:
    """Cells summed per zone: zone_id, zone, present (people present per hour), cells; busiest first."""
    if cells.empty:
        return pd.DataFrame({"zone_id": [], "zone": [], "present": [], "cells": []})
    grouped = (cells.assign(zone_id=cells["zone_id"].fillna(""))
               .groupby("zone_id", as_index=False).agg(present=("present", "sum"), cells=("cell", "count")))
    grouped["zone"] = [zone_names.get(z, z or "—") for z in grouped["zone_id"]]
    return grouped.sort_values("present", ascending=False)[["zone_id", "zone", "present", "cells"]].reset_index(
        drop=True)


def rows_of(frame: pd.DataFrame, columns: Sequence[tuple[str, object]]) -> tuple[tuple[str, ...], ...]:
    """Rows of texts from ``frame``: each column is (name, formatter) applied to its values."""
    out = []
    for rec in frame.to_dict("records"):
        out.append(tuple(fmt(rec.get(name)) for name, fmt in columns))  # type: ignore[operator]
    return tuple(out)


def name_of(rec: dict, lang: str, prefix: str = "") -> str:
    """A place's or zone's name in ``lang`` (``geo.i18n.display_name``: another language's name, marked, when
    the data has none in ``lang``); ``prefix`` picks e.g. ``origin_name_en``/``origin_name_th``/``..._zh``."""
    return display_name(rec, lang, prefix=prefix)
