"""Estimated people on the pages: the headline figure with observed devices beside it, and the method one
click away (a popover with the calibration method, the largest monthly error and a link to the Data page)."""

from __future__ import annotations

import streamlit as st

from geo.errors import DataNotBuiltError
from geo.i18n import _
from geo.services import calibration
from geo.text import markdown_text
from ui import state


def method_popover(key: str = "estimate_method") -> None:
    """A small "estimate: method" popover: how estimated people are made, and how close they are to the
    published figures (the Data page has the whole check)."""
    with st.popover(_("ⓘ Estimate: method"), help=_("How estimated people are computed"), key=key):
        try:
            cal = state.call(calibration.calibration)
        except DataNotBuiltError as exc:
            st.write(markdown_text(exc))
            return
        st.markdown(_("**Estimated people** = observed devices × an expansion weight per origin segment "
                      "(domestic, international, resident) and month, fitted to published statistics."))
        st.write(markdown_text(calibration.method_text(cal)))
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
