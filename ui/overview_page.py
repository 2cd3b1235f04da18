"""The Overview's shared body (pages/views/overview.py and pages/views/public/overview.py): the observed KPI tiles,
seasonality, hour × weekday, origins and the top attractions. Each page passes its data and its wording (the
officials count people-days over dates, the public view person-days of published rows over months).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from geo.i18n import _
from geo.render import charts
from geo.services import geography, presence, public
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import state
from ui.names import category_words, names_of, with_name


def fmt_pct(change: float | None) -> str | None:
    """A KPI's change as the metric delta ("+4.2% vs previous"), None without a previous period."""
    return None if change is None else _("{change}% vs previous").format(change=f"{change:+.1f}")


def fmt_hour(h: int | None) -> str:
    """An hour of day as "09:00" ("—" for none)."""
    return "—" if h is None else f"{h:02d}:00"


@dataclass(frozen=True)
class KpiWords:
    """What a page calls its observed KPI tiles (translated already; ``*_help`` templates take ``{n}``)."""

    heading: str
    visitors: str
    visitors_help: str
    overnight: str
    day_trippers: str
    share_help: str
    dwell_help: str
    hour_help: str
    per_day_help: str
    zone_help: str
    period: str


@dataclass(frozen=True)
class SectionWords:
    """What a page says around its charts and the top attractions (translated already)."""

    no_season: str
    season_note: str
    no_presence: str
    present_definition: str
    no_origins: str
    origin_measure: str | None
    origin_note: str | None
    no_places: str
    places_note: str


def kpi_tiles(k: presence.Kpis, words: KpiWords) -> None:
    """Seven observed KPI tiles, each with its change against the previous period when that period has data,
    then the period caption and the services' note."""
    cur, prev, chg = k.current, k.previous, k.change
    st.markdown(words.heading)  # trusted-text: a translated literal of the page
    row1 = st.columns(4)
    row1[0].metric(words.visitors, f"{cur.visitors:,}", fmt_pct(chg.visitors),  # trusted-text: translated literals
                   help=words.visitors_help)  # trusted-text: a translated literal of the page
    row1[1].metric(words.overnight, f"{cur.overnight:,}", fmt_pct(chg.overnight))  # trusted-text: translated literal
    row1[2].metric(words.day_trippers, f"{cur.day_trippers:,}", fmt_pct(chg.day_trippers))  # trusted-text: translated literal
    share, pp = cur.international_share, chg.international_share_pp
    row1[3].metric(_("International share"), "—" if share is None else f"{share:.1%}",
                   None if pp is None else _("{pp} pp vs previous").format(pp=f"{pp:+.1f}"),
                   help=words.share_help)  # trusted-text: a translated literal of the page
    row2 = st.columns([1, 1, 1, 2])
    dwell, dd = cur.avg_dwell_minutes, chg.avg_dwell_minutes
    row2[0].metric(_("Dwell per attraction visit"), "—" if dwell is None else _("{n} min").format(n=f"{dwell:.0f}"),
                   None if dd is None else _("{n} min vs previous").format(n=f"{dd:+.0f}"),
                   help=words.dwell_help)  # trusted-text: a translated literal of the page
    row2[1].metric(_("Busiest hour"), fmt_hour(cur.busiest_hour),
                   None if prev is None else _("previous: {value}").format(value=fmt_hour(prev.busiest_hour)),
                   delta_color="off",
                   help=words.hour_help.format(  # trusted-text: a translated template, a count filled in
                       n="—" if cur.busiest_hour_present is None else _("{n} people").format(
                           n=f"{cur.busiest_hour_present:,.0f}")))
    avg = cur.avg_daily_visitors
    row2[2].metric(_("Visitors per day"), "—" if avg is None else f"{avg:,.0f}", fmt_pct(chg.avg_daily_visitors),
                   help=words.per_day_help)  # trusted-text: a translated literal of the page
    zones = state.call(geography.list_zones)
    shown = dict(zip(zones["zone_id"], names_of(zones), strict=True))  # the busiest zone in the reader's language
    row2[3].metric(_("Busiest zone"), markdown_text(shown.get(cur.busiest_zone_id) or cur.busiest_zone_name or "—"),
                   None if prev is None else _("previous: {value}").format(
                       value=markdown_text(shown.get(prev.busiest_zone_id) or prev.busiest_zone_name or "—")),
                   delta_color="off",
                   help=words.zone_help.format(n=f"{cur.busiest_zone_visitors:,}"))  # trusted-text: template, a count
    st.caption(words.period)  # trusted-text: dates and counts formatted by the page
    if k.note:  # the services keep the note language-neutral: worded here (months on the public view)
        st.info(markdown_text(public.kpi_note(k) if state.app_settings().is_public else presence.kpi_note(k)))


def sections(f: Filters, season: pd.DataFrame, hw: pd.DataFrame, mix: pd.DataFrame, places: pd.DataFrame,
             words: SectionWords) -> None:
    """Seasonality (festivals marked), people present by hour and weekday beside the origin markets, and the top
    attractions table."""
    festivals = state.call(presence.festival_days, state.app_settings().seed_dir / "calendar.csv")
    if season.empty:
        st.info(words.no_season)  # trusted-text: a translated literal of the page
    else:
        state.altair_chart(charts.seasonality_chart, season, festivals, f.start, f.end)
        st.caption(words.season_note)  # trusted-text: a translated literal of the page

    left, right = st.columns(2)
    with left:
        if hw.empty:
            st.info(words.no_presence)  # trusted-text: a translated literal of the page
        else:
            state.altair_chart(charts.hour_weekday_chart, hw)
            st.caption(words.present_definition)  # trusted-text: a translated literal of the page
    with right:
        if mix.empty:
            st.info(words.no_origins)  # trusted-text: a translated literal of the page
        else:
            if words.origin_measure is None:
                state.altair_chart(charts.origin_chart, mix)
            else:
                state.altair_chart(charts.origin_chart, mix, measure=words.origin_measure)
            if words.origin_note:
                st.caption(words.origin_note)  # trusted-text: a translated literal of the page

    st.subheader(_("Top attractions"))
    if places.empty:
        st.info(words.no_places)  # trusted-text: a translated literal of the page
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
        st.caption(words.places_note)  # trusted-text: a translated literal of the page
