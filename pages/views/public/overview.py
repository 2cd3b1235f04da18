"""Public Overview: headline figures for a month range against the months before, seasonality, hour × weekday,
origin markets, top attractions and visitors by tourism zone — every figure a sum of published rows."""

from __future__ import annotations

import streamlit as st

from geo import vocab
from geo.render import charts
from geo.services import presence, public
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import export, state


def _fmt_pct(change: float | None) -> str | None:
    return None if change is None else f"{change:+.1f}% vs previous"


def _fmt_hour(h: int | None) -> str:
    return "—" if h is None else f"{h:02d}:00"


def render_kpis(k: presence.Kpis) -> None:
    """KPI tiles with the change against the same number of months just before, when those have data."""
    cur, prev, chg = k.current, k.previous, k.change
    row1 = st.columns(4)
    row1[0].metric("Visitors (person-days)", f"{cur.visitors:,}", _fmt_pct(chg.visitors), help=public.VISITORS_DEFINITION)
    row1[1].metric("Overnight (person-days)", f"{cur.overnight:,}", _fmt_pct(chg.overnight))
    row1[2].metric("Day-trippers (person-days)", f"{cur.day_trippers:,}", _fmt_pct(chg.day_trippers))
    share, pp = cur.international_share, chg.international_share_pp
    row1[3].metric("International share", "—" if share is None else f"{share:.1%}",
                   None if pp is None else f"{pp:+.1f} pp vs previous",
                   help="International person-days ÷ all person-days in the selected segments.")
    row2 = st.columns([1, 1, 1, 2])
    dwell, dd = cur.avg_dwell_minutes, chg.avg_dwell_minutes
    row2[0].metric("Dwell per attraction visit", "—" if dwell is None else f"{dwell:.0f} min",
                   None if dd is None else f"{dd:+.0f} min vs previous",
                   help="Minutes on site per visit to an attraction, over the published place rows.")
    row2[1].metric("Busiest hour", _fmt_hour(cur.busiest_hour),
                   None if prev is None else f"previous: {_fmt_hour(prev.busiest_hour)}", delta_color="off",
                   help="Hour of day with the most people present on an average day: "
                        + ("—" if cur.busiest_hour_present is None else f"{cur.busiest_hour_present:,.0f} people."))
    avg = cur.avg_daily_visitors
    row2[2].metric("Visitors per day", "—" if avg is None else f"{avg:,.0f}", _fmt_pct(chg.avg_daily_visitors),
                   help="Average person-days per day with data in the months.")
    row2[3].metric("Busiest zone", markdown_text(cur.busiest_zone_name or "—"),
                   None if prev is None else f"previous: {markdown_text(prev.busiest_zone_name or '—')}",
                   delta_color="off",
                   help=f"Tourism zone with the most person-days in the months ({cur.busiest_zone_visitors:,}).")
    st.caption(f"Previous months: {k.previous_start:%b %Y} – {k.previous_end:%b %Y}. "  # trusted-text: dates, counts
               f"Residents in the selection: {cur.residents:,} person-days. "
               f"Days with data: {cur.days_with_data} of {cur.days_expected}.")
    if k.note:
        st.info(markdown_text(k.note))


def render_zones(f: Filters) -> None:
    """Person-days by main tourism zone (and outside every zone)."""
    st.subheader("Visitors by tourism zone")
    zones = state.call(public.zone_days, f)
    if zones.empty:
        st.info("No published visitors in these months and segments.")
        return
    st.dataframe(
        zones[["name_en", "name_th", "visitors", "share", "overnight", "day_trippers", "residents", "international"]],
        hide_index=True,
        column_config={
            "name_en": "Zone", "name_th": "ชื่อ",
            "visitors": st.column_config.NumberColumn("Person-days", format="%d"),
            "share": st.column_config.NumberColumn("Share", format="percent"),
            "overnight": st.column_config.NumberColumn("Overnight", format="%d"),
            "day_trippers": st.column_config.NumberColumn("Day-trippers", format="%d"),
            "residents": st.column_config.NumberColumn("Residents", format="%d"),
            "international": st.column_config.NumberColumn("International", format="%d"),
        },
    )
    st.caption("Each person-day counts once, in the zone where that person spent most of the day, so the rows "
               "add up to the province.")


def render() -> None:
    """The public overview for the chosen months."""
    f = state.sidebar_filters(show_categories=True)
    first, last = public.month_range(f)
    st.title("Overview")
    st.caption(
        f"{public.VISITORS_DEFINITION} Figures cover {first:%b %Y} – {last:%b %Y} and the selected origin segments; "
        "changes compare with the same number of months just before. Weekdays and hours apply to the presence "
        "chart. " + public.PUBLISHED_NOTE
    )
    state.provenance_note()
    kpis = state.call(public.kpis, f)
    render_kpis(kpis)

    season = state.call(public.seasonality, f)
    festivals = state.call(presence.festival_days, state.app_settings().seed_dir / "calendar.csv")
    if season.empty:
        st.info("No published visitors for these segments.")
    else:
        state.altair_chart(charts.seasonality_chart, season, festivals, f.start, f.end)
        st.caption("Seasonality shows every published month (the chosen months shaded) for the chosen segments.")

    left, right = st.columns(2)
    with left:
        hw = state.call(public.hour_weekday, f)
        if hw.empty:
            st.info("No published presence in this selection.")
        else:
            state.altair_chart(charts.hour_weekday_chart, hw)
            st.caption(public.PRESENT_DEFINITION)
    with right:
        mix = state.call(public.origin_mix, f, 12)
        if mix.empty:
            st.info("No published origins in this selection.")
        else:
            state.altair_chart(charts.origin_chart, mix, measure="People (once per month)")
            st.caption("Each person counts once per month they stayed; smaller markets are published together.")

    st.subheader("Top attractions")
    places = state.call(public.top_places, f, 15)
    if places.empty:
        st.info("No published place visits in these months.")
    else:
        table = places.assign(category=places["category"].map(lambda c: vocab.CATEGORY_LABELS.get(c, c)))
        st.dataframe(
            table[["name_en", "name_th", "category", "zone_name", "visits", "avg_dwell_minutes"]],
            hide_index=True,
            column_config={
                "name_en": "Place", "name_th": "ชื่อ", "category": "Category", "zone_name": "Zone",
                "visits": st.column_config.NumberColumn("Visits", format="%d"),
                "avg_dwell_minutes": st.column_config.NumberColumn("Avg dwell (min)", format="%.0f"),
            },
        )
        st.caption("Visits in the chosen months (published per place and month). Choose place categories in the "
                   "sidebar to rank other places (e.g. hotels) instead.")
    render_zones(f)
    export.section("overview", f, fields=("dates", "segments"))


state.guard(render)
