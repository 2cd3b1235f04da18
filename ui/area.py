"""The drawn-area tool of the Visitor density and Accommodation pages: its URL state, the map's drawings, the summary.

A page draws its map with ``draw_tool=True, area=current() or ()`` and ``RETURNED`` among the returned
objects, passes what the map returns to ``take_drawing`` (rerunning when it says the area changed, so the
map redraws with the area in it and the address holds it) and calls ``render_summary`` where the numbers go.
The area lives in one session-state key shared by both pages (an area drawn on one is kept on the other) and
in the URL as ``area=`` (``ui.url.area_to_url``), so a copied link reproduces the area, its outline on the map
and its numbers. An invalid ``area`` in a link falls back to no area with one plain sidebar note.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import streamlit as st

from geo import vocab
from geo.errors import FilterError
from geo.i18n import N_, _
from geo.render import charts
from geo.services import area, geography, presence, public
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import lang, state, url
from ui.names import names_of, origin_words, translated, with_name

#: The drawn area: (lon, lat) corners as ``geo.services.area.check_area`` keeps them, or None.
AREA = url.PageParam("area", "drawn_area", None, parse=url.area_from_url, to_url=url.area_to_url, why=url.area_why)
#: What the map must return for the tool to work (add to ``state.folium_map``'s ``returned_objects``).
RETURNED = "all_drawings"
#: The last drawings value handled, so a map that comes back with an old value (same key) is not re-read.
_SEEN_KEY = "drawn_area_seen"

HINT = N_("Draw a rectangle or a polygon on the map (tools at its top left) to get the numbers of that area; "
          "a link to the page keeps the area.")


def current() -> area.Ring | None:
    """The drawn area (seeded from the URL once per session; an invalid one gives a sidebar note), kept in the URL."""
    state.seed(AREA)
    ring = st.session_state.get(AREA.widget_key)
    state.store(AREA, ring)
    return ring


def _set(ring: area.Ring | None) -> None:
    st.session_state[AREA.widget_key] = ring
    state.store(AREA, ring)


def clear() -> None:
    """Forget the drawn area (the "Clear area" button's callback)."""
    _set(None)


def take_drawing(out: Mapping[str, Any] | None) -> bool:
    """Read the shapes the map reports; True when the area changed (the page then reruns).

    ``all_drawings`` is None until something is drawn, edited or deleted on this map, ``[]`` once the area is
    deleted, else the drawn polygon last. A shape ``check_area`` refuses is reported under the map and not used.
    """
    drawings = (out or {}).get(RETURNED)
    if not isinstance(drawings, list):
        return False
    seen = json.dumps(drawings, sort_keys=True, default=str)
    if st.session_state.get(_SEEN_KEY) == seen:
        return False
    st.session_state[_SEEN_KEY] = seen
    if drawings:
        try:
            ring: area.Ring | None = area.check_area(area.ring_from_geojson(drawings[-1])).ring
        except FilterError as exc:
            st.warning(markdown_text(_("The drawn shape was not used: {reason}").format(reason=exc)))
            return False
    else:
        ring = None
    if ring == st.session_state.get(AREA.widget_key):
        return False
    _set(ring)
    return True


def _selection_text(f: Filters, season: str, hour: int | None, s: area.AreaSummary) -> str:
    """The selection an area's figures cover, in words (months, weekdays, hours, days averaged over)."""
    months = ", ".join(lang.month_name(m, "abbreviated") for m in presence.season_months(season, f))
    weekdays = (_("every weekday") if len(f.weekdays) == 7
                else ", ".join(_(vocab.WEEKDAY_NAMES[d]) for d in f.weekdays))
    hours = f"{s.hour_from:02d}:00–{s.hour_to:02d}:59" if hour is None else f"{hour:02d}:00–{hour:02d}:59"
    return _("{months}; {weekdays}; {hours}; averaged over {days} days with data").format(
        months=months, weekdays=weekdays, hours=hours, days=f"{s.days_with_data:,}")


def render_summary(f: Filters, season: str = "range", hour: int | None = None) -> None:
    """The "Drawn area" section: metrics, people present by hour, origins, places and beds, and "Clear area"."""
    st.subheader(_("Drawn area"))
    ring = st.session_state.get(AREA.widget_key)
    if not ring:
        st.caption(_(HINT))
        return
    try:
        if state.app_settings().is_public:  # sums of the published cells the public density map shows
            s = state.call(public.area_summary, f, ring, hour)
        else:
            s = state.call(area.area_summary, f, ring, season, hour, floor=state.privacy_floor())
    except FilterError as exc:
        st.warning(markdown_text(exc))
        st.button(_("Clear area"), on_click=clear, key="area_clear")
        return
    k = st.columns(5)
    k[0].metric(_("People present (avg/hour)"), f"{s.present:,.1f}", help=_(area.PEOPLE_HOURS_DEFINITION))
    k[1].metric(_("People-hours"), f"{s.people_hours:,}", help=_(area.PEOPLE_HOURS_DEFINITION))
    k[2].metric(_("Busiest hour"), "—" if s.peak_hour is None else f"{s.peak_hour:02d}:00",
                help=None if s.peak_present is None else _("{n} people present on an average day").format(
                    n=f"{s.peak_present:,.1f}"))
    share = s.overnight_share
    k[3].metric(_("Overnight visitors' share"), "—" if share is None else f"{share:.1%}",
                help=_("Share of the area's people-hours spent by overnight visitors."))
    k[4].metric(_("Beds inside"), f"{s.beds:,}", help=_("Accommodation inside the shape: capacity, else rooms × 2."))
    zones = state.call(geography.list_zones)
    names = dict(zip(zones["zone_id"], names_of(zones), strict=True))
    st.caption(
        (_("{km2} km² · {cells} H3 cells counted in {zones}") if s.zones else _("{km2} km² · {cells} H3 cells counted")
         ).format(km2=f"{s.area.area_km2:,.2f}", cells=f"{s.cells:,}",
                  zones=", ".join(markdown_text(names.get(z, z)) for z in s.zones))
        + " · " + _("{places} places inside, {acc} of them accommodation with {rooms} rooms").format(
            places=f"{len(s.places):,}", acc=f"{s.accommodations:,}", rooms=f"{s.rooms:,}")
        + " · " + markdown_text(_selection_text(f, season, hour, s)) + ". " + _(area.AREA_RULE)
    )
    if s.cells == 0:
        st.info(_("No H3 cell has its centre inside this shape, so it has no visitor figures: draw a larger area."))
    elif not s.hours.empty:
        state.altair_chart(charts.hour_chart, s.hours[["hour", "present"]], _("Drawn area: people present by hour"),
                           (s.hour_from, s.hour_to))
    left, right = st.columns(2)
    with left:
        st.markdown(_("**Origins (share of people-hours)**"))
        if s.mix_withheld:
            st.info(_("Origins and visitor types of a drawn area are not part of the public view."))
        elif s.origins.empty:
            st.info(_("No visitors in this area for the selection."))
        else:
            st.dataframe(
                s.origins.assign(origin=origin_words(s.origins["origin"]))[["origin", "people_hours", "share"]], hide_index=True, width="stretch",
                column_config={"origin": _("Origin"),
                               "people_hours": st.column_config.NumberColumn(_("People-hours"), format="%d"),
                               "share": st.column_config.NumberColumn(_("Share"), format="percent")},
            )
            st.dataframe(
                s.visitor_types.assign(label=translated(s.visitor_types["label"]))[["label", "people_hours", "share"]], hide_index=True, width="stretch",
                column_config={"label": _("Visitor type"),
                               "people_hours": st.column_config.NumberColumn(_("People-hours"), format="%d"),
                               "share": st.column_config.NumberColumn(_("Share"), format="percent")},
            )
    with right:
        st.markdown(_("**Places inside**"))
        if s.places.empty:
            st.info(_("No places of the atlas inside this shape."))
        else:
            st.dataframe(
                s.by_category.assign(label=translated(s.by_category["label"]))[["label", "places", "rooms", "beds"]], hide_index=True, width="stretch",
                column_config={"label": _("Category"), "places": st.column_config.NumberColumn(_("Places"), format="%d"),
                               "rooms": st.column_config.NumberColumn(_("Rooms"), format="%d"),
                               "beds": st.column_config.NumberColumn(_("Beds"), format="%d")},
            )
            st.dataframe(
                with_name(s.places).assign(category_label=translated(s.places["category_label"]))[
                    ["name", "category_label", "rooms", "beds"]], hide_index=True,
                width="stretch", height=240,
                column_config={"name": _("Place"), "category_label": _("Category"),
                               "rooms": st.column_config.NumberColumn(_("Rooms"), format="%d"),
                               "beds": st.column_config.NumberColumn(_("Beds"), format="%d")},
            )
    st.button(_("Clear area"), on_click=clear, key="area_clear")
