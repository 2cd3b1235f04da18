"""The Flows and routes page's shared parts (pages/views/flows.py and pages/views/public/flows.py): the top-N and
itinerary address parameters, and the corridor map beside its table. Each page supplies its corridors (the
officials' daily trips at a level, or the published zone corridors per month)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.i18n import N_, _
from geo.render import flow_maps
from geo.services import movement, placeinfo
from ui import state, url
from ui.names import names_of

TOP_CHOICES = tuple(str(n) for n in range(5, movement.MAX_CORRIDORS + 1, 5))
DEFAULT_TOP = 20
TOP = url.PageParam("top", "fl_top", DEFAULT_TOP, TOP_CHOICES, parse=int, why=N_("top corridors are 5 to 100 in fives"))
#: Most places an itinerary takes from the URL (the multiselect has no limit of its own).
MAX_ROUTE_PLACES = 25


def route_param(place_ids: set[str]) -> url.PageParam:
    """The itinerary in the URL: known place ids, in order, without repeats; unknown ids are noted and dropped."""

    def parse(raw: str) -> list[str] | url.Partial:
        ids = [p for p in raw.split(",") if p]
        known = list(dict.fromkeys(p for p in ids if p in place_ids))[:MAX_ROUTE_PLACES]
        unknown = [p for p in ids if p not in place_ids]
        return url.Partial(known, ",".join(unknown)) if unknown else known

    return url.PageParam("route", "fl_route", [], parse=parse, to_url=",".join,
                         why=N_("names no place of the atlas"))


def itinerary(places: pd.DataFrame) -> list[str]:
    """The itinerary picker (places in the order picked), kept in the address (``?route=``)."""
    labels = placeinfo.place_labels(places)
    param = route_param(set(labels))
    chosen = st.multiselect(
        _("Itinerary (places in the order you pick them)"), list(labels), key=state.seed(param),
        format_func=lambda pid: labels.get(pid, pid), placeholder=_("Pick two or more places"),
    )
    state.store(param, list(chosen))
    return list(chosen)


def corridor_map_and_table(corridors: pd.DataFrame, zones_geojson: str, level: str) -> None:
    """The corridors on a map (left) and ranked in a table (right): from, to, trips, trips per day, share."""
    left, right = st.columns([3, 2])
    with left:
        state.folium_map(flow_maps.corridor_map, corridors, zones_geojson, level=level, key="flows_map", height=560)
    with right:
        table = corridors.assign(
            origin_label=names_of(corridors, "origin_"), destination_label=names_of(corridors, "destination_"),
            share_pct=corridors["share"] * 100,
        )[["rank", "origin_label", "destination_label", "trips", "trips_per_day", "share_pct"]]
        st.dataframe(
            table, hide_index=True, width="stretch", height=560,
            column_config={
                "rank": st.column_config.NumberColumn("#", format="%d", width="small"),
                "origin_label": st.column_config.TextColumn(_("From"), width="medium"),
                "destination_label": st.column_config.TextColumn(_("To"), width="medium"),
                "trips": st.column_config.NumberColumn(_("Trips"), format="%d"),
                "trips_per_day": st.column_config.NumberColumn(_("Trips / day"), format="%.1f"),
                "share_pct": st.column_config.NumberColumn(_("Share %"), format="%.1f"),
            },
        )
