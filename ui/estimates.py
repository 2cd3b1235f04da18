"""Estimated people on the pages: the headline figure with observed devices beside it, and the method one
click away (a popover with the calibration method, the largest monthly error and a link to the Data page)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.errors import DataNotBuiltError
from geo.i18n import _
from geo.services import calibration, presence, public
from geo.text import markdown_text
from ui import state


def _calibration() -> calibration.Calibration:
    """The open database's calibration: the officials' check, or the one a published file carries."""
    if state.app_settings().is_public:
        return state.call(public.calibration)
    return state.call(calibration.calibration)


def method_popover(key: str = "estimate_method") -> None:
    """A small "estimate: method" popover: how estimated people are made, and how close they are to the
    published figures (the Data page has the whole check)."""
    with st.popover(_("ⓘ Estimate: method"), help=_("How estimated people are computed"), key=key):
        try:
            cal = _calibration()
        except DataNotBuiltError as exc:
            st.write(markdown_text(exc))
            return
        if state.app_settings().is_public:
            st.markdown(_("**Estimated people** = published counts × a weight per origin segment (domestic, "
                          "international, resident) and month, computed from published rows and published "
                          "statistics."))
        else:
            st.markdown(_("**Estimated people** = observed devices × an expansion weight per origin segment "
                          "(domestic, international, resident) and month, fitted to published statistics."))
        # the officials' method is worded in the reader's language; the published file carries its own text,
        # the English of geo.publish.estimates.METHOD (a catalogue message) when published by this version
        st.write(markdown_text(_(cal.method) if state.app_settings().is_public else calibration.method_text(cal)))
        worst = cal.worst_error
        if worst is not None:
            st.markdown(_("Largest monthly difference from the published visitors: **{err}**.").format(
                err=f"{worst:.1%}"))
        if not state.app_settings().is_public:
            # a plain relative link: st.page_link needs the navigation, which a page run on its own lacks
            st.markdown("[" + _("The monthly calibration check (Data page)") + "](data)")


def headline(column, label: str, estimated: float, observed: int, *, delta: str | None = None,
             help_text: str | None = None) -> None:
    """One KPI tile: the estimate as the value (labelled "estimate"), the observed devices under it."""
    column.metric(_("{label} · estimate").format(label=label), f"{estimated:,.0f}", delta, help=help_text)  # trusted-text: callers pass translated literals
    column.caption(_("Observed devices: {n}").format(n=f"{observed:,}"))


def kpi_headline(k: presence.Kpis, *, key: str) -> None:
    """The Overview headline: estimated visitor people-days (all, per day, overnight, international) with the
    observed figure under each, residents in a caption, and the method one click away. The officials' and the
    public Overview share it; the public one words its units as person-days of published rows."""
    is_public = state.app_settings().is_public
    cur, prev = k.current, k.previous
    change = None
    row = st.columns(4)
    est_visitors = cur.est_overnight + cur.est_day_trippers
    observed = cur.overnight + cur.day_trippers
    if prev is not None and (prev.est_overnight + prev.est_day_trippers):
        before = prev.est_overnight + prev.est_day_trippers
        change = _("{pct} vs previous").format(pct=f"{(est_visitors - before) / before * 100:+.1f}%")
    days = cur.days_with_data
    if is_public:
        labels = (_("Visitors (person-days)"), _("Overnight (person-days)"), _("International (person-days)"))
        help_text = (_("Estimated visitor person-days (overnight and day-trippers, residents not included): "
                       "published person-days × the published weight of their origin segment and month. ")
                     + _(public.VISITORS_DEFINITION))
        per_day = _("Estimated visitor person-days per day with data (residents not included).")
        residents = _("Residents in the selection (estimate): {n} person-days.")
    else:
        labels = (_("Visitors (people-days)"), _("Overnight (people-days)"), _("International (people-days)"))
        help_text = (_("Estimated visitor people-days (overnight and day-trippers, residents not included): "
                       "observed people-days × the expansion weight of their origin segment and month. ")
                     + presence.VISITORS_DEFINITION)
        per_day = _("Estimated visitor people-days per day with data (residents not included).")
        residents = _("Residents in the selection (estimate): {n} people-days.")
    headline(row[0], labels[0], est_visitors, observed, delta=change, help_text=help_text)
    headline(row[1], _("Visitors per day"), est_visitors / days if days else 0.0,
             round(observed / days) if days else 0, help_text=per_day)
    headline(row[2], labels[1], cur.est_overnight, cur.overnight)
    headline(row[3], labels[2], cur.est_international, cur.international)
    st.caption(residents.format(n=f"{cur.est_residents:,.0f}"))  # trusted-text: a translated template, a count
    method_popover(key)


def public_calibration() -> None:
    """The public estimate's check: estimated visitors per month against the published visitors, as published."""
    try:
        cal = state.call(public.calibration)
    except DataNotBuiltError as exc:
        st.info(markdown_text(exc))
        return
    worst = cal.worst_error
    title = (_("Estimate check: largest monthly difference from the published visitors {err}").format(
        err=f"{worst:.1%}") if worst is not None else _("Estimate check against the published visitors"))
    with st.expander(title):  # trusted-text: a translated template, a percentage
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
