"""Places: search by Thai or English name, filter by layer and category, and see a place's visitor profile and neighbours."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.errors import DataNotBuiltError
from geo.i18n import _
from geo.render import charts
from geo.services import placeinfo
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import estimates, export, place_page, state
from ui.names import segment_words, visitor_type_words


def _profile(place_id: str, filters: Filters) -> None:
    try:
        prof = state.call(placeinfo.place_profile, place_id, filters)
    except DataNotBuiltError as exc:
        st.info(markdown_text(exc))
        return
    c = st.columns(3)
    estimates.headline(c[0], _("Visits"), prof.est_visits, prof.visits,
                       help_text=_("Estimated visits: observed visits × the expansion weight of their origin segment "
                                   "and month."))
    c[1].metric(_("Visits in view"), f"{prof.visits:,}", help=_("Observed devices' visits (the sample)."))
    dwell = prof.avg_dwell_minutes
    c[2].metric(_("Average dwell"), "–" if dwell is None else _("{n} min").format(n=f"{dwell:.0f}"))
    estimates.method_popover("places_method")
    if prof.visits == 0:
        st.caption(_("No recorded visits to this place for these filters."))
        return
    state.altair_chart(charts.visits_bar_chart, prof.by_hour, "hour", _("Hour of arrival (local)"),
                       _("Visits by hour of arrival"))
    state.altair_chart(charts.visits_bar_chart, prof.by_month, "month", _("Month"), _("Visits by month (season)"))
    state.altair_chart(charts.visits_bar_chart, prof.by_weekday, "day", _("Weekday"), _("Visits by weekday"),
                       sort=tuple(prof.by_weekday["day"]))
    origins = prof.origins.head(10)
    st.markdown(_("**Origin mix** (top 10 origin markets)"))
    st.dataframe(
        origins.assign(share_pct=origins["share"] * 100, segment=segment_words(origins["segment"]),
                       visitor_type=visitor_type_words(origins["visitor_type"]))[
            ["segment", "visitor_type", "visits", "share_pct"]],
        hide_index=True, width="stretch",
        column_config={"segment": _("Origin"), "visitor_type": _("Visitor type"),
                       "visits": st.column_config.NumberColumn(_("Visits"), format="%d"),
                       "share_pct": st.column_config.NumberColumn(_("Share %"), format="%.1f")},
    )
    st.caption(_("Profile from the place_profile rollup (whole months overlapping the date range; weekdays, "
                 "arrival hours and origin segments as filtered)."))


def _export(filters: Filters, results: pd.DataFrame, detail: placeinfo.PlaceDetail | None, nearby: pd.DataFrame,
            place_id: str | None) -> None:
    profile = export.fetch(placeinfo.place_profile, place_id, filters) if place_id else None
    export.section("places", filters, export.points("results", results), export.record("place", detail),
                   export.points("nearby", nearby),
                   *(export.table(f"profile_{part}", getattr(profile, part, None))
                     for part in ("by_hour", "by_month", "by_weekday", "origins")),
                   extra={"place": place_id or ""})


def render() -> None:
    """The shared Places body with the officials' visitor profile."""
    place_page.render(section_title=_("Visitor profile"), section=_profile, export_section=_export)


state.guard(render)
