"""Overview: headline KPIs against the previous period, seasonality, hour-of-day by weekday, origins, top
places, and visitors by zone of the chosen zone level."""

from __future__ import annotations

import streamlit as st

from geo import vocab
from geo.errors import DataNotBuiltError
from geo.i18n import _
from geo.render import charts
from geo.services import presence
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import estimates, export, lang, state

#: Zones drawn in the level chart (the table lists every zone).
CHART_ZONES = 25


def _fmt_pct(change: float | None) -> str | None:
    return None if change is None else _("{change}% vs previous").format(change=f"{change:+.1f}")


def _fmt_hour(h: int | None) -> str:
    return "—" if h is None else f"{h:02d}:00"


def render_kpis(k: presence.Kpis) -> None:
    """Seven KPI tiles, each with its change against the previous period when that period has data."""
    cur, prev, chg = k.current, k.previous, k.change
    st.markdown(_("**Observed devices** (the sample behind the estimates above; changes against the previous period)"))
    row1 = st.columns(4)
    row1[0].metric(_("Visitors (people-days)"), f"{cur.visitors:,}", _fmt_pct(chg.visitors),
                   help=_(presence.VISITORS_DEFINITION))
    row1[1].metric(_("Overnight (people-days)"), f"{cur.overnight:,}", _fmt_pct(chg.overnight))
    row1[2].metric(_("Day-trippers (people-days)"), f"{cur.day_trippers:,}", _fmt_pct(chg.day_trippers))
    share = cur.international_share
    pp = chg.international_share_pp
    row1[3].metric(_("International share"), "—" if share is None else f"{share:.1%}",
                   None if pp is None else _("{pp} pp vs previous").format(pp=f"{pp:+.1f}"),
                   help=_("International people-days ÷ all people-days in the selected segments."))
    row2 = st.columns([1, 1, 1, 2])
    dwell = cur.avg_dwell_minutes
    dd = chg.avg_dwell_minutes
    row2[0].metric(_("Dwell per attraction visit"), "—" if dwell is None else _("{n} min").format(n=f"{dwell:.0f}"),
                   None if dd is None else _("{n} min vs previous").format(n=f"{dd:+.0f}"),
                   help=_("Minutes on site per visit to an attraction, visits starting in the selected hours."))
    row2[1].metric(_("Busiest hour"), _fmt_hour(cur.busiest_hour),
                   None if prev is None else _("previous: {value}").format(value=_fmt_hour(prev.busiest_hour)), delta_color="off",
                   help=_("Hour of day (start, local time) with the most people present on an average day: {n}.").format(
                       n="—" if cur.busiest_hour_present is None else _("{n} people").format(
                           n=f"{cur.busiest_hour_present:,.0f}")))
    avg = cur.avg_daily_visitors
    row2[2].metric(_("Visitors per day"), "—" if avg is None else f"{avg:,.0f}",
                   _fmt_pct(chg.avg_daily_visitors),
                   help=_("Average people-days per day with data in the period."))
    row2[3].metric(_("Busiest zone"), markdown_text(cur.busiest_zone_name or "—"),
                   None if prev is None else _("previous: {value}").format(value=markdown_text(prev.busiest_zone_name or "—")),
                   delta_color="off",
                   help=_("Tourism zone with the most people-days in the period ({n}).").format(
                       n=f"{cur.busiest_zone_visitors:,}"))
    period = _("Previous period: {start} – {end}. Residents in the selection: {residents} people-days. "
               "Days with data: {days} of {expected}.").format(
        start=lang.day(k.previous_start), end=lang.day(k.previous_end), residents=f"{cur.residents:,}",
        days=cur.days_with_data, expected=cur.days_expected)
    st.caption(period)  # trusted-text: dates and counts formatted above
    if k.note:
        st.info(markdown_text(k.note))


def render_level(f: Filters) -> None:
    """People present per zone of the chosen zone level: bars of the busiest zones, a table of all of them."""
    label = vocab.zone_level_label(f.zone_level)
    st.subheader(_("Visitors by zone: {level}").format(level=markdown_text(_(label))))
    try:
        df = state.call(presence.level_hours, f)
    except DataNotBuiltError as exc:  # a database older than zone levels, or a level without its lookup
        st.info(markdown_text(exc))
        return
    zones = df[~df["outside"]]
    if int(df["visitor_hours"].sum()) == 0:
        st.info(_("No presence data in this selection."))
        return
    top = zones[zones["visitor_hours"] > 0].head(CHART_ZONES)
    if not top.empty:
        state.altair_chart(charts.zone_presence_chart, top, _("People present per hour by zone ({level})").format(level=_(label)))
    shown = df if int(df.loc[df["outside"], "visitor_hours"].sum()) else zones
    st.dataframe(
        shown[["name_en", "name_th", "present", "visitor_hours", "share", "cells_with_data", "area_km2"]],
        hide_index=True,
        column_config={
            "name_en": _("Zone"), "name_th": _("Thai name"),
            "present": st.column_config.NumberColumn(_("People present (avg per hour)"), format="%.1f"),
            "visitor_hours": st.column_config.NumberColumn(_("People-hours"), format="%d"),
            "share": st.column_config.NumberColumn(_("Share"), format="percent"),
            "cells_with_data": st.column_config.NumberColumn(_("Cells with people"), format="%d"),
            "area_km2": st.column_config.NumberColumn(_("Area (km²)"), format="%.1f"),
        },
    )
    st.caption(_(presence.LEVEL_DEFINITION) + " " + _("Same period, weekdays, hours and segments as above.")
               + (" " + _("The chart shows the {n} busiest zones.").format(n=CHART_ZONES)
                  if len(zones) > CHART_ZONES else ""))


def render() -> None:
    """The overview of visitor presence for the filtered period."""
    f = state.sidebar_filters(show_categories=True, show_zone_level=True)
    st.title(_("Overview"))
    st.caption(
        _(presence.VISITORS_DEFINITION) + " "
        + _("Figures cover {start} – {end}, the selected weekdays, hours {h0}:00–{h1}:59 and origin segments; "
            "changes compare with the same number of days just before.").format(
            start=lang.day(f.start), end=lang.day(f.end), h0=f"{f.hours[0]:02d}", h1=f"{f.hours[1]:02d}")
    )
    state.provenance_note()
    kpis = state.call(presence.kpis, f)
    estimates.kpi_headline(kpis, key="overview_method")
    render_kpis(kpis)

    season = state.call(presence.seasonality, f)
    festivals = state.call(presence.festival_days, state.app_settings().seed_dir / "calendar.csv")
    if season.empty:
        st.info(_("No visitor data for these weekdays, hours and segments."))
    else:
        state.altair_chart(charts.seasonality_chart, season, festivals, f.start, f.end)
        st.caption(_("Seasonality uses the whole data span (date range ignored) with the other filters applied."))

    left, right = st.columns(2)
    with left:
        hw = state.call(presence.hour_weekday, f)
        if hw.empty:
            st.info(_("No presence data in this selection."))
        else:
            state.altair_chart(charts.hour_weekday_chart, hw)
            st.caption(_(presence.PRESENT_DEFINITION))
    with right:
        mix = state.call(presence.origin_mix, f, "", 12, floor=state.privacy_floor())
        if mix.empty:
            st.info(_("No visitors in this selection."))
        else:
            state.altair_chart(charts.origin_chart, mix)

    st.subheader(_("Top attractions"))
    places = state.call(presence.top_places, f, "", 15, floor=state.privacy_floor())
    if places.empty:
        st.info(_("No place visits in this selection."))
    else:
        table = places.assign(category=places["category"].map(lambda c: _(vocab.CATEGORY_LABELS.get(c, c))))
        st.dataframe(
            table[["name_en", "name_th", "category", "zone_name", "visits", "avg_dwell_minutes"]],
            hide_index=True,
            column_config={
                "name_en": _("Place"), "name_th": _("Thai name"), "category": _("Category"), "zone_name": _("Zone"),
                "visits": st.column_config.NumberColumn(_("Visits"), format="%d"),
                "avg_dwell_minutes": st.column_config.NumberColumn(_("Avg dwell (min)"), format="%.0f"),
            },
        )
        st.caption(_("Attraction visits that started in the selected hours. Choose place categories in the sidebar "
                     "to rank other places (e.g. hotels) instead."))
    export.section("overview", f, export.kpis(state.call(presence.kpis, f)), export.table("seasonality", season),
                   export.table("hour_weekday", hw), export.table("origins", mix), export.table("top_places", places))

    render_level(f)


state.guard(render)
