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
from ui import estimates, export, lang, overview_page, state
from ui.names import with_name

#: Zones drawn in the level chart (the table lists every zone).
CHART_ZONES = 25


def render_kpis(k: presence.Kpis) -> None:
    """Seven KPI tiles, each with its change against the previous period when that period has data."""
    cur = k.current
    overview_page.kpi_tiles(k, overview_page.KpiWords(
        heading=_("**Observed devices** (the sample behind the estimates above; changes against the previous period)"),
        visitors=_("Visitors (people-days)"),
        visitors_help=_(presence.VISITORS_DEFINITION),
        overnight=_("Overnight (people-days)"),
        day_trippers=_("Day-trippers (people-days)"),
        share_help=_("International people-days ÷ all people-days in the selected segments."),
        dwell_help=_("Minutes on site per visit to an attraction, visits starting in the selected hours."),
        hour_help=_("Hour of day (start, local time) with the most people present on an average day: {n}."),
        per_day_help=_("Average people-days per day with data in the period."),
        zone_help=_("Tourism zone with the most people-days in the period ({n})."),
        period=_("Previous period: {start} – {end}. Residents in the selection: {residents} people-days. "
                 "Days with data: {days} of {expected}.").format(
            start=lang.day(k.previous_start), end=lang.day(k.previous_end), residents=f"{cur.residents:,}",
            days=cur.days_with_data, expected=cur.days_expected),
    ))


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
        with_name(shown)[["name", "present", "visitor_hours", "share", "cells_with_data", "area_km2"]],
        hide_index=True,
        column_config={
            "name": _("Zone"),
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
    hw = state.call(presence.hour_weekday, f)
    mix = state.call(presence.origin_mix, f, "", 12, floor=state.privacy_floor())
    places = state.call(presence.top_places, f, "", 15, floor=state.privacy_floor())
    overview_page.sections(f, season, hw, mix, places, overview_page.SectionWords(
        no_season=_("No visitor data for these weekdays, hours and segments."),
        season_note=_("Seasonality uses the whole data span (date range ignored) with the other filters applied."),
        no_presence=_("No presence data in this selection."),
        present_definition=_(presence.PRESENT_DEFINITION),
        no_origins=_("No visitors in this selection."),
        origin_measure=None,
        origin_note=None,
        no_places=_("No place visits in this selection."),
        places_note=_("Attraction visits that started in the selected hours. Choose place categories in the sidebar "
                      "to rank other places (e.g. hotels) instead."),
    ))
    export.section("overview", f, export.kpis(state.call(presence.kpis, f)), export.table("seasonality", season),
                   export.table("hour_weekday", hw), export.table("origins", mix), export.table("top_places", places))

    render_level(f)


state.guard(render)
