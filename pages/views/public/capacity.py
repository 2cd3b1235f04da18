"""Public Accommodation and capacity: beds against the published overnight presence per tourism zone, the pressure
map, an attraction's catchment (public facts) and a drawn area's beds and people."""

from __future__ import annotations

from dataclasses import asdict

import pandas as pd
import streamlit as st

from geo.i18n import N_, _
from geo.render import capacity_maps, charts
from geo.services import capacity, catalog, geography, placeinfo, public
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import area as drawn_area
from ui import estimates, export, lang, state, url

KM_CHOICES = tuple(f"{k / 2:g}" for k in range(1, 21))  # 0.5 .. 10 km in 0.5 km steps
DEFAULT_KM = "2"
DEFAULT_ATTRACTION = "att-wat-phra-singh"
KM = url.PageParam("km", "cap_km", float(DEFAULT_KM), KM_CHOICES, parse=float, to_url=lambda km: f"{km:g}",
                   why=N_("distances are 0.5 to 10 km in steps of 0.5"))

PRESSURE_DEFINITION = N_(
    "**Pressure index** = domestic and international visitors present in the zone at 02:00 on an average night "
    "of the chosen months and weekdays (the evening a night begins), from the published presence rows of the "
    "zone, ÷ the zone's bed capacity (accommodation `capacity`, else rooms × 2). 1.0 means every bed would be "
    "taken on an average night; peak = the busiest month's average night. Thresholds: low < 0.50 ≤ moderate < "
    "0.80 ≤ high < 1.00 ≤ over capacity; zones with no recorded beds are grey. The hours filter does not apply."
)


def _supply_demand(filters: Filters) -> pd.DataFrame:
    df = state.call(public.supply_demand, filters)
    beds = int(df["beds"].sum())
    c = st.columns(4)
    estimates.headline(c[0], _("Overnight visitors / night"), float(df["est_overnight_per_night"].sum()),
                       round(float(df["overnight_per_night"].sum())),
                       help_text=_("Estimated overnight visitors: published people present at 02:00 × the published "
                                   "weight of their origin segment and month."))
    c[1].metric(_("Beds (all zones)"), f"{beds:,}")
    c[2].metric(_("Rooms"), f"{int(df['rooms'].sum()):,}")
    c[3].metric(_("Zones at or over capacity"), f"{int((df['pressure_class'] == 'over').sum())}")
    estimates.method_popover("public_capacity_method")
    if beds == 0:
        st.warning(_("No accommodation with rooms or capacity is published, so no zone has a pressure index."))
    state.altair_chart(charts.supply_demand_chart, df)
    st.dataframe(
        df.assign(pressure_label=df["pressure_label"].map(_))[["name_en", "accommodations", "rooms", "beds", "overnight_per_night", "peak_overnight", "pressure",
            "peak_pressure", "pressure_label"]],
        hide_index=True, width="stretch",
        column_config={
            "name_en": _("Zone"),
            "accommodations": st.column_config.NumberColumn(_("Accommodations"), format="%d"),
            "rooms": st.column_config.NumberColumn(_("Rooms"), format="%d"),
            "beds": st.column_config.NumberColumn(_("Beds"), format="%d"),
            "overnight_per_night": st.column_config.NumberColumn(_("Overnight visitors / night"), format="%.0f"),
            "peak_overnight": st.column_config.NumberColumn(_("Busiest month / night"), format="%.0f"),
            "pressure": st.column_config.NumberColumn(_("Pressure index"), format="%.2f"),
            "peak_pressure": st.column_config.NumberColumn(_("Busiest-month pressure"), format="%.2f"),
            "pressure_label": _("Class"),
        },
    )
    st.caption(_(PRESSURE_DEFINITION))
    if state.call(catalog.is_simulated):
        st.caption(_("Simulated flows count the simulated sample of visitors, not every tourist in the province, so "
                     "pressure values read low against real bed counts."))
    return df


def render() -> None:
    """Supply against demand, then the pressure map with an attraction's catchment, then a drawn area."""
    st.title(_("Accommodation and capacity"))
    filters = state.sidebar_filters(show_categories=False)
    attractions = state.call(geography.list_places, ("attraction",))
    if attractions.empty:
        st.warning(_("No attractions are published; the catchment needs at least one."))
        return
    ids = attractions["place_id"].tolist()
    attraction = url.PageParam("attraction", "cap_attraction",
                               DEFAULT_ATTRACTION if DEFAULT_ATTRACTION in ids else ids[0], tuple(ids),
                               why=N_("not an attraction of the atlas"), keep_default=True)
    first, last = public.month_range(filters)
    st.subheader(_("Supply against demand by tourism zone, {first} – {last}").format(first=lang.month(first), last=lang.month(last)))
    pressure = _supply_demand(filters)
    st.subheader(_("Pressure map and attraction catchment"))
    labels = placeinfo.place_labels(attractions)
    c = st.columns([2, 1])
    place_id = c[0].selectbox(_("Attraction"), ids, key=state.seed(attraction), format_func=lambda p: labels.get(p, p))
    km = c[1].slider(_("Catchment distance (km, straight-line)"), 0.5, 10.0, key=state.seed(KM), step=0.5)
    state.store(attraction, place_id)
    state.store(KM, float(km))
    catch = state.call(capacity.catchment, place_id, km * 1000)
    zones = state.call(geography.zones_geojson)
    left, right = st.columns([3, 2])
    with left:
        drawn = drawn_area.current()  # a copied address may name a drawn area
        out = state.folium_map(capacity_maps.pressure_map, zones, pressure,
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
                km=f"{km:g}", place=markdown_text(catch.place.name_en))
            if catch.place else _("Unknown attraction.")
        )
        st.dataframe(
            catch.by_price_band, hide_index=True, width="stretch",
            column_config={"price_band": _("Price band"),
                           "places": st.column_config.NumberColumn(_("Places"), format="%d"),
                           "rooms": st.column_config.NumberColumn(_("Rooms"), format="%d"),
                           "beds": st.column_config.NumberColumn(_("Beds"), format="%d")},
        )
        acc = catch.accommodation
        st.dataframe(
            acc.assign(distance_km=acc["distance_m"] / 1000)[["name_en", "category", "price_band", "rooms",
                                                              "distance_km"]],
            hide_index=True, width="stretch", height=260,
            column_config={"name_en": _("Accommodation"), "category": _("Type"), "price_band": _("Price band"),
                           "rooms": st.column_config.NumberColumn(_("Rooms"), format="%d"),
                           "distance_km": st.column_config.NumberColumn(_("Distance (km)"), format="%.2f")},
        )
    drawn_area.render_summary(filters)
    state.provenance_note()
    export.section("capacity", filters, fields=("dates", "weekdays", "segments"),
                   extra={"attraction": place_id, "km": f"{km:g}"})


state.guard(render)
