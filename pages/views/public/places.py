"""Public Places: search by Thai or English name, filter by layer and category, a place's facts, its published
visits per month and its neighbours."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.i18n import _
from geo.render import charts
from geo.services import placeinfo, public
from geo.services.filters import Filters
from ui import estimates, export, lang, place_page, state


def _visits(place_id: str, filters: Filters) -> None:
    first, last = public.month_range(filters)
    prof = state.call(public.place_visits, place_id, filters)
    c = st.columns(3)
    estimates.headline(c[0], _("Visits"), prof.est_visits, prof.visits,
                       help_text=_("Estimated visits: published visits × the month's pooled weight (the published "
                                   "weights of the origin segments, averaged over the month's people)."))
    c[1].metric(_("Visits in the months"), f"{prof.visits:,}", help=_("Observed: the published counts behind the "
                                                                       "estimate."))
    dwell = prof.avg_dwell_minutes
    c[2].metric(_("Average dwell"), "–" if dwell is None else _("{n} min").format(n=f"{dwell:.0f}"))
    if prof.visits == 0:
        st.caption(_("No published visits to this place in {first} – {last}: none, or a month with fewer visitors "
                     "than the privacy floor ({floor} people).").format(
            first=lang.month(first), last=lang.month(last), floor=f"{state.app_settings().privacy_floor:,}"))
        return
    estimates.method_popover("public_places_method")
    state.altair_chart(charts.visits_bar_chart, prof.by_month, "month", _("Month"), _("Visits by month"))
    st.caption(_("Visits are published per place and month when at least {floor} distinct people made them; other "
                 "months are left out.").format(floor=f"{state.app_settings().privacy_floor:,}"))


def _export(filters: Filters, results: pd.DataFrame, detail: placeinfo.PlaceDetail | None, nearby: pd.DataFrame,
            place_id: str | None) -> None:
    export.section("places", filters, fields=("dates", "categories"), extra={"place": place_id or ""})


def render() -> None:
    """The shared Places body with the published visits per month."""
    place_page.render(section_title=_("Visits"), section=_visits, export_section=_export)


state.guard(render)
