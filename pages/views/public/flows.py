"""Public Flows and routes: the busiest published corridors between tourism zones for a month range, and a
straight-line route between places (public facts)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.i18n import _
from geo.render import flow_maps
from geo.render.base import leg_end_name
from geo.services import geography, movement, public
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import estimates, export, flows_page, lang, state

TOP = flows_page.TOP



def _corridors(filters: Filters, top_n: int, zones_geojson: str) -> pd.DataFrame:
    first, last = public.month_range(filters)
    corridors = state.call(public.top_corridors, filters, top_n)
    totals = state.call(public.flow_totals, filters)
    c = st.columns(3)
    estimates.headline(c[0], _("Trips between zones"), totals.est_corridor_trips, totals.corridor_trips,
                       help_text=_("Estimated trips: published trips × the month's pooled weight (the published "
                                   "weights of the origin segments, averaged over the month's people)."))
    c[1].metric(_("Trips between zones (published corridors)"), f"{totals.corridor_trips:,}",
                help=_("Observed: the published counts behind the estimate."))
    c[2].metric(_("Corridors published"), f"{totals.corridors:,}")
    estimates.method_popover("public_flows_method")
    if corridors.empty:
        st.info(_("No published corridor in these months."))
        return corridors
    flows_page.corridor_map_and_table(corridors, zones_geojson, "zone")
    st.caption(
        _("Directed trips between tourism zones, {first} – {last}, summed over the corridors published for each "
          "month (at least {floor} distinct people made the move that month). Corridors are published per month "
          "only: the weekday, hour and segment filters do not apply. Share = corridor trips ÷ all published "
          "corridor trips.").format(first=lang.month(first), last=lang.month(last),
                                    floor=f"{state.app_settings().privacy_floor:,}")
    )
    return corridors


def _route(places: pd.DataFrame, zones_geojson: str) -> movement.Route | None:
    st.subheader(_("Route between places"))
    chosen = flows_page.itinerary(places)
    if len(chosen) < 2:
        st.caption(_("Pick at least two places to get distances and times."))
        return None
    route = state.call(movement.plan_route, tuple(chosen), speed_kmh=state.app_settings().route_speed_kmh)
    c = st.columns(3)
    c[0].metric(_("Total distance"), _("{n} km").format(n=f"{route.distance_km:.2f}"))
    c[1].metric(_("Total time"), _("{n} min").format(n=f"{route.minutes:.0f}"))
    c[2].metric(_("Legs"), f"{len(route.legs)}")
    st.info(
        _("Distances are **{label}**: great-circle segments between the places, times at an assumed average "
          "{speed} km/h. Real road distances are longer.").format(label=markdown_text(_(route.label)),
                                                                 speed=f"{route.speed_kmh:.0f}")
    )
    left, right = st.columns([3, 2])
    with left:
        state.folium_map(flow_maps.route_map, route.legs, route.stops, route.label, zones_geojson, key="route_map",
                         height=480)
    with right:
        st.dataframe(
            route.legs.assign(from_name=[leg_end_name(r, "from") for r in route.legs.to_dict("records")],
                              to_name=[leg_end_name(r, "to") for r in route.legs.to_dict("records")])[
                ["leg", "from_name", "to_name", "distance_km", "minutes"]], hide_index=True, width="stretch",
            column_config={
                "leg": st.column_config.NumberColumn(_("Leg"), format="%d"),
                "from_name": _("From"), "to_name": _("To"),
                "distance_km": st.column_config.NumberColumn(_("Distance (km)"), format="%.2f"),
                "minutes": st.column_config.NumberColumn(_("Time (min)"), format="%.0f"),
            },
        )
    return route


def render() -> None:
    """Published corridors map and table for the months, then the itinerary router."""
    st.title(_("Flows and routes"))
    filters = state.sidebar_filters(show_categories=False)
    places = state.call(geography.list_places)
    zones_geojson = state.call(geography.zones_geojson)
    st.subheader(_("Corridors between tourism zones"))
    top_n = st.slider(_("Top corridors shown"), 5, movement.MAX_CORRIDORS, key=state.seed(TOP), step=5)
    state.store(TOP, int(top_n))
    _corridors(filters, top_n, zones_geojson)
    _route(places, zones_geojson)
    state.provenance_note()
    export.section("flows", filters, fields=("dates",), extra={"top": top_n})


state.guard(render)
