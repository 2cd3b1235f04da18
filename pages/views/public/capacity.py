"""Public Accommodation and capacity: beds against the published overnight presence per tourism zone, the pressure
map, an attraction's catchment (public facts) and a drawn area's beds and people."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.i18n import N_, _
from geo.render import charts
from geo.services import catalog, geography, public
from geo.services.filters import Filters
from ui import area as drawn_area
from ui import capacity_page, estimates, export, lang, state
from ui.names import with_name

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
        df.assign(pressure_label=df["pressure_label"].map(_)).pipe(with_name)[["name", "accommodations", "rooms", "beds", "overnight_per_night", "peak_overnight", "pressure",
            "peak_pressure", "pressure_label"]],
        hide_index=True, width="stretch",
        column_config={
            "name": _("Zone"),
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
    attraction = capacity_page.attraction_param(ids)
    first, last = public.month_range(filters)
    st.subheader(_("Supply against demand by tourism zone, {first} – {last}").format(first=lang.month(first), last=lang.month(last)))
    pressure = _supply_demand(filters)
    st.subheader(_("Pressure map and attraction catchment"))
    zones = state.call(geography.zones_geojson)
    place_id, km, catch = capacity_page.catchment_section(attractions, attraction, pressure, zones)
    drawn_area.render_summary(filters)
    state.provenance_note()
    export.section("capacity", filters, fields=("dates", "weekdays", "segments"),
                   extra={"attraction": place_id, "km": f"{km:g}"})


state.guard(render)
