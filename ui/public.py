"""The public view's sidebar: a month range of the published file instead of dates, and the shared filters.

Public mode (``ATLAS_MODE=public``) serves a published file whose figures are per month (docs/privacy.md), so
``ui.state.sidebar_filters`` hands over to ``sidebar_filters`` here: the months come from the file, the URL
holds them as ``start=YYYY-MM&end=YYYY-MM`` (``ui.url.months_from_query``), and the returned ``Filters`` run
from the first day of the first month to the last day of the last (``geo.services.public.month_range``).
Weekdays, hours and origin segment groups select published rows, as on the officials' pages.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo import vocab
from geo.i18n import _
from geo.services import public
from geo.services.filters import Filters
from ui import lang, state, url

#: Months offered when the published file has no presence data (the pages then say there is nothing to show).
FALLBACK_MONTHS = (state.FALLBACK_BOUNDS[1].replace(day=1),)
MONTHS_KEY = "f_months"


def _fmt_month(month: date) -> str:
    return lang.month(month)


def sidebar_filters(*, show_categories: bool = True) -> Filters:
    """Draw the public sidebar (months, weekdays, hours, segment groups, categories), synced with the URL."""
    months = state.call(public.months) or FALLBACK_MONTHS
    parsed = url.months_from_query({k: st.query_params[k] for k in st.query_params}, months)
    f = parsed.filters
    initial = {
        MONTHS_KEY: (f.start.replace(day=1), f.end.replace(day=1)),
        "f_weekdays": [vocab.WEEKDAY_NAMES[d] for d in f.weekdays],
        "f_hours": f.hours,
        "f_segments": list(f.segments),
        "f_categories": list(f.categories),
    }
    for key, value in initial.items():  # carried across pages, as in ui.state.sidebar_filters
        st.session_state[key] = st.session_state[key] if key in st.session_state else value
    chosen_months = st.session_state[MONTHS_KEY]
    if not (isinstance(chosen_months, tuple | list) and len(chosen_months) == 2
            and all(m in months for m in chosen_months)):
        st.session_state[MONTHS_KEY] = initial[MONTHS_KEY]
    sb = st.sidebar
    sb.header(_("Filters"))
    if len(months) > 1:
        first, last = sb.select_slider(_("Months"), options=months, key=MONTHS_KEY, format_func=_fmt_month,
                                       help=_("The public view is published per month (docs/privacy.md)."))
    else:
        first = last = months[0]
        sb.caption(_("Months: {months}").format(months=_fmt_month(first)))
    weekdays = sb.multiselect(_("Weekdays"), vocab.WEEKDAY_NAMES, key="f_weekdays", format_func=lang.weekday_label)
    hours = sb.slider(_("Hours of day"), 0, 23, key="f_hours")
    segments = sb.multiselect(
        _("Origin segments"), vocab.SEGMENT_GROUPS, key="f_segments", format_func=lang.segment_label
    )
    categories: list[str] = st.session_state.get("f_categories", [])
    if show_categories:
        categories = sb.multiselect(
            _("Place categories (empty = all)"), vocab.ALL_CATEGORIES, key="f_categories",
            format_func=lang.category_label,
        )
    for note in parsed.notes:
        sb.warning(url.note_markdown(note))
    sb.caption(_("Public view: figures are published per month, each summed from rows of at least {floor} "
                 "people.").format(floor=f"{state.app_settings().privacy_floor:,}"))
    base = Filters(start=first, end=first)
    chosen = Filters(
        start=first,
        end=url.month_end(last),
        weekdays=tuple(vocab.WEEKDAY_NAMES.index(w) for w in weekdays) or base.weekdays,
        hours=(int(hours[0]), int(hours[1])),
        segments=tuple(s for s in vocab.SEGMENT_GROUPS if s in segments) or base.segments,
        categories=tuple(c for c in vocab.ALL_CATEGORIES if c in categories),
    )
    state.sync_url(url.months_to_query(chosen, months))
    st.session_state[state.FILTERS_KEY] = chosen
    return chosen
