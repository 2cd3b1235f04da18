"""Public Overview: headline figures for a month range against the months before, seasonality, hour × weekday,
origin markets, top attractions and visitors by tourism zone — every figure a sum of published rows."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import vocab
from geo.errors import DataNotBuiltError
from geo.i18n import _
from geo.render import charts
from geo.services import presence, public
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import estimates, export, lang, state


def _fmt_pct(change: float | None) -> str | None:
    return None if change is None else _("{change}% vs previous").format(change=f"{change:+.1f}")


def _fmt_hour(h: int | None) -> str:
    return "—" if h is None else f"{h:02d}:00"


def render_kpis(k: presence.Kpis) -> None:
    """KPI tiles with the change against the same number of months just before, when those have data."""
    cur, prev, chg = k.current, k.previous, k.change
    st.markdown(_("**Observed** (the published counts behind the estimates above; changes against the months "
                  "before)"))
    row1 = st.columns(4)
    row1[0].metric(_("Visitors (person-days)"), f"{cur.visitors:,}", _fmt_pct(chg.visitors), help=_(public.VISITORS_DEFINITION))
    row1[1].metric(_("Overnight (person-days)"), f"{cur.overnight:,}", _fmt_pct(chg.overnight))
    row1[2].metric(_("Day-trippers (person-days)"), f"{cur.day_trippers:,}", _fmt_pct(chg.day_trippers))
    share, pp = cur.international_share, chg.international_share_pp
    row1[3].metric(_("International share"), "—" if share is None else f"{share:.1%}",
                   None if pp is None else _("{pp} pp vs previous").format(pp=f"{pp:+.1f}"),
                   help=_("International person-days ÷ all person-days in the selected segments."))
    row2 = st.columns([1, 1, 1, 2])
    dwell, dd = cur.avg_dwell_minutes, chg.avg_dwell_minutes
    row2[0].metric(_("Dwell per attraction visit"), "—" if dwell is None else _("{n} min").format(n=f"{dwell:.0f}"),
                   None if dd is None else _("{n} min vs previous").format(n=f"{dd:+.0f}"),
                   help=_("Minutes on site per visit to an attraction, over the published place rows."))
    row2[1].metric(_("Busiest hour"), _fmt_hour(cur.busiest_hour),
                   None if prev is None else _("previous: {value}").format(value=_fmt_hour(prev.busiest_hour)), delta_color="off",
                   help=_("Hour of day with the most people present on an average day: {n}.").format(
                       n="—" if cur.busiest_hour_present is None else _("{n} people").format(
                           n=f"{cur.busiest_hour_present:,.0f}")))
    avg = cur.avg_daily_visitors
    row2[2].metric(_("Visitors per day"), "—" if avg is None else f"{avg:,.0f}", _fmt_pct(chg.avg_daily_visitors),
                   help=_("Average person-days per day with data in the months."))
    row2[3].metric(_("Busiest zone"), markdown_text(cur.busiest_zone_name or "—"),
                   None if prev is None else _("previous: {value}").format(value=markdown_text(prev.busiest_zone_name or "—")),
                   delta_color="off",
                   help=_("Tourism zone with the most person-days in the months ({n}).").format(
                       n=f"{cur.busiest_zone_visitors:,}"))
    st.caption(_("Previous months: {start} – {end}. Residents in the selection: {residents} person-days. "  # trusted-text: dates, counts
                 "Days with data: {days} of {expected}.").format(
        start=lang.month(k.previous_start), end=lang.month(k.previous_end), residents=f"{cur.residents:,}",
        days=cur.days_with_data, expected=cur.days_expected))
    if k.note:
        st.info(markdown_text(k.note))


def render_calibration() -> None:
    """The public estimate's check: estimated visitors per month against the published visitors, as published."""
    try:
        cal = state.call(public.calibration)
    except DataNotBuiltError as exc:
        st.info(markdown_text(exc))
        return
    worst = cal.worst_error
    title = (_("Estimate check: largest monthly difference from the published visitors {err}").format(
        err=f"{worst:.1%}") if worst is not None else _("Estimate check against the published visitors"))
    with st.expander(title):
        table = pd.DataFrame([{"month": m.month, "estimated": m.estimated, "published": m.published,
                               "error": m.error, "observed": m.observed} for m in cal.months])
        if table.empty:
            st.info(_("No published month to check."))
            return
        st.dataframe(table, hide_index=True, column_config={
            "month": _("Month"),
            "estimated": st.column_config.NumberColumn(_("Estimated visitors (estimate)"), format="%.0f"),
            "published": st.column_config.NumberColumn(_("Published visitors"), format="%.0f"),
            "error": st.column_config.NumberColumn(_("Difference"), format="percent"),
            "observed": st.column_config.NumberColumn(_("Observed people"), format="%d"),
        })
        st.caption(_("Estimated visitors of a month = Σ over domestic and international visitors of the published "
                     "weight × the people published for the month (each person once a month); published visitors "
                     "= the month's published figure scaled to the days with data. The weights match only the "
                     "period total, so each month is a check. Computed when the file was published."))


def render_zones(f: Filters) -> None:
    """Person-days by main tourism zone (and outside every zone)."""
    st.subheader(_("Visitors by tourism zone"))
    zones = state.call(public.zone_days, f)
    if zones.empty:
        st.info(_("No published visitors in these months and segments."))
        return
    st.dataframe(
        zones[["name_en", "name_th", "est_visitors", "visitors", "share", "overnight", "day_trippers", "residents", "international"]],
        hide_index=True,
        column_config={
            "name_en": _("Zone"), "name_th": _("Thai name"),
            "est_visitors": st.column_config.NumberColumn(_("Person-days (estimate)"), format="%.0f"),
            "visitors": st.column_config.NumberColumn(_("Person-days (observed)"), format="%d"),
            "share": st.column_config.NumberColumn(_("Share"), format="percent"),
            "overnight": st.column_config.NumberColumn(_("Overnight"), format="%d"),
            "day_trippers": st.column_config.NumberColumn(_("Day-trippers"), format="%d"),
            "residents": st.column_config.NumberColumn(_("Residents"), format="%d"),
            "international": st.column_config.NumberColumn(_("International"), format="%d"),
        },
    )
    st.caption(_("Each person-day counts once, in the zone where that person spent most of the day, so the rows "
                 "add up to the province."))


def render() -> None:
    """The public overview for the chosen months."""
    f = state.sidebar_filters(show_categories=True)
    first, last = public.month_range(f)
    st.title(_("Overview"))
    st.caption(
        _(public.VISITORS_DEFINITION) + " "
        + _("Figures cover {first} – {last} and the selected origin segments; changes compare with the same number "
            "of months just before. Weekdays and hours apply to the presence chart.").format(
            first=lang.month(first), last=lang.month(last)) + " " + _(public.PUBLISHED_NOTE)
    )
    state.provenance_note()
    kpis = state.call(public.kpis, f)
    estimates.kpi_headline(kpis, key="public_overview_method")
    render_kpis(kpis)
    render_calibration()

    season = state.call(public.seasonality, f)
    festivals = state.call(presence.festival_days, state.app_settings().seed_dir / "calendar.csv")
    if season.empty:
        st.info(_("No published visitors for these segments."))
    else:
        state.altair_chart(charts.seasonality_chart, season, festivals, f.start, f.end)
        st.caption(_("Seasonality shows every published month (the chosen months shaded) for the chosen segments."))

    left, right = st.columns(2)
    with left:
        hw = state.call(public.hour_weekday, f)
        if hw.empty:
            st.info(_("No published presence in this selection."))
        else:
            state.altair_chart(charts.hour_weekday_chart, hw)
            st.caption(_(public.PRESENT_DEFINITION))
    with right:
        mix = state.call(public.origin_mix, f, 12)
        if mix.empty:
            st.info(_("No published origins in this selection."))
        else:
            state.altair_chart(charts.origin_chart, mix, measure=_("People (once per month)"))
            st.caption(_("Each person counts once per month they stayed; smaller markets are published together."))

    st.subheader(_("Top attractions"))
    places = state.call(public.top_places, f, 15)
    if places.empty:
        st.info(_("No published place visits in these months."))
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
        st.caption(_("Visits in the chosen months (published per place and month). Choose place categories in the "
                     "sidebar to rank other places (e.g. hotels) instead."))
    render_zones(f)
    export.section("overview", f, fields=("dates", "segments"))


state.guard(render)
