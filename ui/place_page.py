"""The Places page's body, shared by the officials' page and the public one (pages/views/places.py and
pages/views/public/places.py): search, layer filter, results map, a place's facts and neighbours. Each page
supplies the section that differs (visitor profile or published visits) and its Export section.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pandas as pd
import streamlit as st

from geo import vocab
from geo.i18n import FALLBACK_MARK, N_, _
from geo.render import place_maps
from geo.services import geography, placeinfo
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import state, url
from ui.names import category_words, name_of, with_name

#: Shown names of the place layers (``geo.vocab.LAYERS``).
LAYER_LABELS = {"attraction": N_("Attraction"), "accommodation": N_("Accommodation"), "health": N_("Health"),
                "transport": N_("Transport")}
QUERY = url.PageParam("q", "pl_q", "", parse=lambda raw: raw[:200])
LAYER_PARAM = url.PageParam(
    "layer", "pl_layers", [], parse=lambda raw: _layers(raw), to_url=",".join,
    why=lambda: _("layers are {names}").format(names=", ".join(vocab.LAYERS)),
)


def _layers(raw: str) -> list[str]:
    layers = [x for x in raw.split(",") if x]
    if any(x not in vocab.LAYERS for x in layers):
        raise ValueError(raw)
    return layers


def _detail(detail: placeinfo.PlaceDetail, nearby: pd.DataFrame, filters: Filters, section_title: str,
            section: Callable[[str, Filters], None]) -> None:
    shown = name_of(detail)
    st.subheader(markdown_text(shown))
    others = [n for n in (detail.name_en, detail.name_th, getattr(detail, "name_zh", None))
              if n and not pd.isna(n) and n != shown.rstrip(FALLBACK_MARK)]
    if others:
        st.markdown(f"**{markdown_text(' · '.join(dict.fromkeys(others)))}**")  # trusted-text: names, escaped
    hours = (_("always open") if detail.open_hour is None or detail.close_hour is None
             else f"{detail.open_hour:02d}:00–{detail.close_hour:02d}:00")
    facts = {
        _("Layer / category"): f"{_(LAYER_LABELS.get(detail.layer, detail.layer))} / "
                               f"{_(vocab.CATEGORY_LABELS.get(detail.category, detail.category))}",
        _("Zone"): name_of(detail, "zone_") or _("outside every zone"),
        _("Opening hours"): hours,
        _("Coordinates"): f"{detail.lat:.5f}, {detail.lon:.5f}",
        _("Source"): detail.source,
    }
    if detail.rooms is not None:
        facts[_("Rooms")] = _("{n} (estimated)").format(n=detail.rooms) if detail.estimated else f"{detail.rooms}"
    if detail.price_band:
        facts[_("Price band")] = _(vocab.PRICE_BAND_LABELS.get(detail.price_band, detail.price_band))
    # st.table renders its cells as Markdown: every value (names and sources come from data) is escaped
    st.table(pd.DataFrame({"": list(facts), "value": [markdown_text(v) for v in facts.values()]}).set_index(""))
    st.markdown(f"**{section_title}**")  # trusted-text: the page's own heading
    section(detail.place_id, filters)
    st.markdown(_("**Nearby places** (within {m} m, straight-line)").format(m=f"{placeinfo.NEARBY_RADIUS_M:,}"))
    if nearby.empty:
        st.caption(_("No other place within that distance."))
    else:
        st.dataframe(
            with_name(nearby).assign(category=category_words(nearby["category"]))[["name", "category", "distance_m"]], hide_index=True, width="stretch",
            column_config={"name": _("Place"), "category": _("Category"),
                           "distance_m": st.column_config.NumberColumn(_("Distance (m)"), format="%.0f")},
        )


def render(*, section_title: str, section: Callable[[str, Filters], None],
           export_section: Callable[[Filters, pd.DataFrame, placeinfo.PlaceDetail | None, pd.DataFrame, str | None],
                                    None]) -> None:
    """Search box, layer filter, results map and the chosen place's details.

    ``section(place_id, filters)`` draws the part that differs between the officials' page (the visitor
    profile) and the public one (published visits per month), under ``section_title``;
    ``export_section(filters, results, detail, nearby, place_id)`` draws the page's Export section.
    """
    st.title(_("Places"))
    filters = state.sidebar_filters(show_categories=True)
    all_places = state.call(geography.list_places)
    place_param = url.PageParam("place", "pl_place", None, tuple(all_places["place_id"]), why=N_("not a place id of the atlas"))
    state.seed(place_param)
    c = st.columns([2, 2])
    text = c[0].text_input(_("Search by name (English or Thai)"), key=state.seed(QUERY), placeholder=_("e.g. Wat, วัด, market"))
    layers = c[1].multiselect(_("Layers (empty = all)"), vocab.LAYERS, key=state.seed(LAYER_PARAM), format_func=lambda v: _(LAYER_LABELS.get(v, v)))
    state.store(QUERY, text.strip())
    state.store(LAYER_PARAM, list(layers))
    results = state.call(placeinfo.search_places, text, tuple(layers), tuple(filters.categories))
    st.caption(_("{n} places match (categories from the sidebar; empty = all).").format(n=f"{len(results):,}"))
    if st.session_state.get("pl_place") not in set(results["place_id"]):
        st.session_state["pl_place"] = results["place_id"].iloc[0] if not results.empty else None
    labels = placeinfo.place_labels(results)
    place_id = st.selectbox(_("Place details"), list(labels), key="pl_place", format_func=lambda p: labels.get(p, p),
                            placeholder=_("No place matches"))
    state.store(place_param, place_id)
    detail = state.call(placeinfo.place_detail, place_id) if place_id else None
    nearby = (state.call(placeinfo.nearby_places, place_id) if place_id
              else pd.DataFrame(columns=["place_id", "name_en", "category", "distance_m", "lat", "lon"]))
    left, right = st.columns([3, 2])
    with left:
        selected = None if detail is None else dataclasses.asdict(detail)  # the renderer takes a plain mapping
        state.folium_map(place_maps.places_result_map, results, state.call(geography.zones_geojson), selected, nearby,
                         placeinfo.NEARBY_RADIUS_M, key="places_map", height=640)
    with right:
        if detail is None:
            st.info(_("No place matches the search; clear the search box or the filters."))
        else:
            _detail(detail, nearby, filters, section_title, section)
    state.provenance_note()
    export_section(filters, results, detail, nearby, place_id)
