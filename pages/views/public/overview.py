"""Public Overview: headline figures for a month range against the months before, seasonality, hour × weekday,
origin markets, top attractions and visitors by tourism zone — every figure a sum of published rows."""

from __future__ import annotations

import streamlit as st

from geo.i18n import _
from geo.services import presence, public
from geo.services.filters import Filters
from ui import estimates, export, lang, overview_page, state
from ui.names import with_name


def render_kpis(k: presence.Kpis) -> None:
    """KPI tiles with the change against the same number of months just before, when those have data."""
    cur = k.current
    overview_page.kpi_tiles(k, overview_page.KpiWords(
        heading=_("**Observed** (the published counts behind the estimates above; changes against the months "
                  "before)"),
        visitors=_("Visitors (person-days)"),
        visitors_help=_(public.VISITORS_DEFINITION),
        overnight=_("Overnight (person-days)"),
        day_trippers=_("Day-trippers (person-days)"),
        share_help=_("International person-days ÷ all person-days in the selected segments."),
        dwell_help=_("Minutes on site per visit to an attraction, over the published place rows."),
        hour_help=_("Hour of day with the most people present on an average day: {n}."),
        per_day_help=_("Average person-days per day with data in the months."),
        zone_help=_("Tourism zone with the most person-days in the months ({n})."),
        period=_("Previous months: {start} – {end}. Residents in the selection: {residents} person-days. "
                 "Days with data: {days} of {expected}.").format(
            start=lang.month(k.previous_start), end=lang.month(k.previous_end), residents=f"{cur.residents:,}",
            days=cur.days_with_data, expected=cur.days_expected),
    ))


def render_zones(f: Filters) -> None:
    """Person-days by main tourism zone (and outside every zone)."""
    st.subheader(_("Visitors by tourism zone"))
    zones = state.call(public.zone_days, f)
    if zones.empty:
        st.info(_("No published visitors in these months and segments."))
        return
    st.dataframe(
        with_name(zones)[["name", "est_visitors", "visitors", "share", "overnight", "day_trippers", "residents", "international"]],
        hide_index=True,
        column_config={
            "name": _("Zone"),
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
    estimates.public_calibration()

    season = state.call(public.seasonality, f)
    hw = state.call(public.hour_weekday, f)
    mix = state.call(public.origin_mix, f, 12)
    places = state.call(public.top_places, f, 15)
    overview_page.sections(f, season, hw, mix, places, overview_page.SectionWords(
        no_season=_("No published visitors for these segments."),
        season_note=_("Seasonality shows every published month (the chosen months shaded) for the chosen segments."),
        no_presence=_("No published presence in this selection."),
        present_definition=_(public.PRESENT_DEFINITION),
        no_origins=_("No published origins in this selection."),
        origin_measure=_("People (once per month)"),
        origin_note=_("Each person counts once per month they stayed; smaller markets are published together."),
        no_places=_("No published place visits in these months."),
        places_note=_("Visits in the chosen months (published per place and month). Choose place categories in the "
                      "sidebar to rank other places (e.g. hotels) instead."),
    ))
    render_zones(f)
    export.section("overview", f, fields=("dates", "segments"))


state.guard(render)
