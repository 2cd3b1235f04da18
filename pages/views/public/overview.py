"""Public Overview: headline figures for a month range against the months before, seasonality, hour × weekday,
origin markets, top attractions and visitors by tourism zone — every figure a sum of published rows."""

from __future__ import annotations

import streamlit as st

from geo.i18n import _
from geo.render import charts
from geo.services import geography, presence, public
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import export, lang, state
from ui.names import category_words, names_of, with_name


def _fmt_pct(change: float | None) -> str | None:
    return None if change is None else _("{change}% vs previous").format(change=f"{change:+.1f}")


def _fmt_hour(h: int | None) -> str:
    return "—" if h is None else f"{h:02d}:00"


def render_kpis(k: presence.Kpis) -> None:
    """KPI tiles with the change against the same number of months just before, when those have data."""
    cur, prev, chg = k.current, k.previous, k.change
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
    zones = state.call(geography.list_zones)
    shown = dict(zip(zones["zone_id"], names_of(zones), strict=True))  # the busiest zone in the reader's language
    row2[3].metric(_("Busiest zone"), markdown_text(shown.get(cur.busiest_zone_id) or cur.busiest_zone_name or "—"),
                   None if prev is None else _("previous: {value}").format(
                       value=markdown_text(shown.get(prev.busiest_zone_id) or prev.busiest_zone_name or "—")),
                   delta_color="off",
                   help=_("Tourism zone with the most person-days in the months ({n}).").format(
                       n=f"{cur.busiest_zone_visitors:,}"))
    st.caption(_("Previous months: {start} – {end}. Residents in the selection: {residents} person-days. "  # trusted-text: dates, counts
                 "Days with data: {days} of {expected}.").format(
        start=lang.month(k.previous_start), end=lang.month(k.previous_end), residents=f"{cur.residents:,}",
        days=cur.days_with_data, expected=cur.days_expected))
    if k.note:
        st.info(markdown_text(public.kpi_note(k)))


def render_zones(f: Filters) -> None:
    """Person-days by main tourism zone (and outside every zone)."""
    st.subheader(_("Visitors by tourism zone"))
    zones = state.call(public.zone_days, f)
    if zones.empty:
        st.info(_("No published visitors in these months and segments."))
        return
    st.dataframe(
        with_name(zones)[["name", "visitors", "share", "overnight", "day_trippers", "residents", "international"]],
        hide_index=True,
        column_config={
            "name": _("Zone"),
            "visitors": st.column_config.NumberColumn(_("Person-days"), format="%d"),
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
    render_kpis(kpis)

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
        table = with_name(with_name(places), "zone_", "zone").assign(category=category_words(places["category"]))
        st.dataframe(
            table[["name", "category", "zone", "visits", "avg_dwell_minutes"]],
            hide_index=True,
            column_config={
                "name": _("Place"), "category": _("Category"), "zone": _("Zone"),
                "visits": st.column_config.NumberColumn(_("Visits"), format="%d"),
                "avg_dwell_minutes": st.column_config.NumberColumn(_("Avg dwell (min)"), format="%.0f"),
            },
        )
        st.caption(_("Visits in the chosen months (published per place and month). Choose place categories in the "
                     "sidebar to rank other places (e.g. hotels) instead."))
    render_zones(f)
    export.section("overview", f, fields=("dates", "segments"))


state.guard(render)
