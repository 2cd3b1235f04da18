"""The Accommodation and capacity page's shared body (pages/views/capacity.py and pages/views/public/capacity.py):
the attraction and distance in the address, and the pressure map beside an attraction's accommodation catchment.
Each page draws its own supply and demand above it (estimates and published supply, or published presence)."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from geo.i18n import N_, _
from geo.render import capacity_maps
from geo.services import capacity, placeinfo
from geo.text import markdown_text
from ui import area as drawn_area
from ui import state, url
from ui.names import category_words, name_of, price_band_words, with_name

KM_CHOICES = tuple(f"{k / 2:g}" for k in range(1, 21))  # 0.5 .. 10 km in 0.5 km steps
DEFAULT_KM = "2"
DEFAULT_ATTRACTION = "att-wat-phra-singh"
KM = url.PageParam("km", "cap_km", float(DEFAULT_KM), KM_CHOICES, parse=float, to_url=lambda km: f"{km:g}",
                   why=N_("distances are 0.5 to 10 km in steps of 0.5"))


def attraction_param(ids: list[str]) -> url.PageParam:
    """The attraction in the address (``?attraction=``), Wat Phra Singh by default when the atlas has it."""
    return url.PageParam("attraction", "cap_attraction",
                         DEFAULT_ATTRACTION if DEFAULT_ATTRACTION in ids else ids[0], tuple(ids),
                         why=N_("not an attraction of the atlas"), keep_default=True)


def catchment_section(attractions: pd.DataFrame, attraction: url.PageParam, pressure: pd.DataFrame | None,
                      zones_geojson: str) -> tuple[str, float, capacity.Catchment]:
    """The attraction and distance pickers, the pressure map (with the drawing tool) and the catchment's figures
    and tables; returns the chosen place id, the distance in km and the catchment (for the page's export)."""
    labels = placeinfo.place_labels(attractions)
    c = st.columns([2, 1])
    place_id = c[0].selectbox(_("Attraction"), attractions["place_id"].tolist(), key=state.seed(attraction),
                              format_func=lambda p: labels.get(p, p))
    km = c[1].slider(_("Catchment distance (km, straight-line)"), 0.5, 10.0, key=state.seed(KM), step=0.5)
    state.store(attraction, place_id)
    state.store(KM, float(km))
    catch = state.call(capacity.catchment, place_id, km * 1000)
    left, right = st.columns([3, 2])
    with left:
        table = pressure if pressure is not None else pd.DataFrame(columns=["zone_id", "pressure", "colour"])
        drawn = drawn_area.current()  # a copied address may name a drawn area
        out = state.folium_map(capacity_maps.pressure_map, zones_geojson, table,
                               asdict(catch.place) if catch.place else None, catch.radius_m, catch.accommodation,
                               draw_tool=True, area=drawn or (), key="capacity_map", height=560,
                               returned_objects=[drawn_area.RETURNED])
        if drawn_area.take_drawing(out):  # drawn, edited or deleted: rerun so the map and the address hold it
            st.rerun()
    with right:
        c = st.columns(3)
        c[0].metric(_("Accommodations in catchment"), f"{catch.places:,}")
        c[1].metric(_("Rooms in catchment"), f"{catch.rooms:,}")
        c[2].metric(_("Beds in catchment"), f"{catch.beds:,}")
        st.caption(
            _("Accommodation within {km} km (great-circle distance) of {place}.").format(
                km=f"{km:g}", place=markdown_text(name_of(catch.place)))
            if catch.place else _("Unknown attraction.")
        )
        st.dataframe(
            catch.by_price_band.assign(price_band=price_band_words(catch.by_price_band["price_band"])),
            hide_index=True, width="stretch",
            column_config={"price_band": _("Price band"),
                           "places": st.column_config.NumberColumn(_("Places"), format="%d"),
                           "rooms": st.column_config.NumberColumn(_("Rooms"), format="%d"),
                           "beds": st.column_config.NumberColumn(_("Beds"), format="%d")},
        )
        acc = catch.accommodation
        st.dataframe(
            with_name(acc).assign(distance_km=acc["distance_m"] / 1000, category=category_words(acc["category"]),
                                  price_band=price_band_words(acc["price_band"]))[["name", "category", "price_band", "rooms",
                                                              "distance_km"]],
            hide_index=True, width="stretch", height=260,
            column_config={"name": _("Accommodation"), "category": _("Type"), "price_band": _("Price band"),
                           "rooms": st.column_config.NumberColumn(_("Rooms"), format="%d"),
                           "distance_km": st.column_config.NumberColumn(_("Distance (km)"), format="%.2f")},
        )
    return place_id, float(km), catch
