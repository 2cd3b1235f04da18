"""Atlas map: every real place on a Folium map, a layer per category, the chosen level's zones, provenance."""

from __future__ import annotations

import streamlit as st

from geo import vocab
from geo.i18n import _
from geo.render import place_maps
from geo.services import geography
from geo.text import markdown_text
from ui import export, state


def render() -> None:
    """Draw the places map for the selected layers and categories."""
    st.title(_("Tourism Atlas · Chiang Mai"))
    filters = state.sidebar_filters(show_zone_level=True)
    if filters.zone_level == vocab.DEFAULT_ZONE_LEVEL:
        st.caption(_("Real places of Chiang Mai province by category, with the project's approximate tourism "
                     "zones."))
    else:
        st.caption(_("Real places of Chiang Mai province by category, with the zones of the level {level}.").format(
            level=markdown_text(_(vocab.zone_level_label(filters.zone_level)))))
    places = state.call(geography.list_places, (), filters.categories)
    if places.empty:
        st.info(_("No places match the chosen categories; clear the category filter in the sidebar."))
        return
    layers = sorted(places["layer"].unique())
    chosen = st.multiselect(_("Layers"), layers, default=layers, key="map_layers")
    shown = places[places["layer"].isin(chosen)]
    zones = state.call(geography.zones_geojson, filters.zone_level)
    state.folium_map(place_maps.places_map, shown, zones, zoom=11, key="atlas_map", height=620)
    cols = st.columns(4)
    cols[0].metric(_("Places shown"), f"{len(shown):,}")
    cols[1].metric(_("Attractions"), f"{(shown['layer'] == 'attraction').sum():,}")
    cols[2].metric(_("Accommodation"), f"{(shown['layer'] == 'accommodation').sum():,}")
    cols[3].metric(_("Rooms (accommodation)"), f"{int(shown['rooms'].fillna(0).sum()):,}")
    st.caption(_("Base-map tiles need internet; without them the zones and places still draw on a grey base."))
    state.provenance_note()
    export.section("map", filters, export.points("places", shown), fields=("categories",),
                   extra={"layers": "+".join(chosen) if set(chosen) != set(layers) else ""})


state.guard(render)
