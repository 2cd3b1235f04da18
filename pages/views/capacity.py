"""Accommodation and capacity: beds against overnight visitors per zone, the pressure index map, an attraction's
catchment, a drawn area's beds and visitors."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import vocab
from geo.errors import DataNotBuiltError
from geo.i18n import N_, _
from geo.render import charts
from geo.services import calibration, capacity, geography
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import area as drawn_area
from ui import capacity_page, estimates, export, state
from ui.names import names_of, with_name

PRESSURE_DEFINITION = N_(
    "**Pressure index** (ESTIMATE) = estimated overnight visitors present in the zone at 02:00 (observed devices × "
    "expansion weights), averaged over the nights in the view (nights named after their evening, filtered by date "
    "range, weekdays and origin segments) ÷ the zone's beds on the published supply: a district's own published "
    "rooms × persons per room where published, else the zone's listed beds scaled by the province's published rooms "
    "÷ the rooms the registry lists. 1.0 means every bed would be taken on an average night. Thresholds: low < 0.50 "
    "≤ moderate < 0.80 ≤ high < 1.00 ≤ over capacity; zones with no listed beds are grey. The hours filter does not "
    "apply. Observed pressure (devices ÷ listed beds) is kept in the table and the export."
)


LEVEL_NOTE = N_(
    "Zones of an imported level: beds and overnight visitors are both placed by the H3 cell holding them "
    "(a cell counts for the zone holding its centre), so a zone's supply and demand cover the same cells; "
    "the last row gathers cells in no zone of the level."
)


def _supply_demand(filters: Filters) -> pd.DataFrame | None:
    """KPIs, chart and table of supply against demand per zone of the chosen level; its zones' rows or None."""
    try:
        df = state.call(capacity.supply_demand, filters)
    except DataNotBuiltError as exc:
        st.info(markdown_text(exc))
        return None
    zones = df[~df["outside"]]
    beds = int(df["beds"].sum())
    supply = state.call(capacity.published_supply)
    c = st.columns(3)
    estimates.headline(c[0], _("Overnight visitors / night"), float(df["est_overnight_per_night"].sum()),
                       round(float(df["overnight_per_night"].sum())))
    c[1].metric(_("Beds on the published supply"), f"{df['supply_beds'].sum():,.0f}",
                help=_("Listed beds scaled to the published room total (see below)."))
    c[2].metric(_("Zones at or over capacity"), f"{int((zones['pressure_class'] == 'over').sum())}",
                help=_("Pressure index (estimate) of 1.0 or more."))
    estimates.method_popover("capacity_method")
    c = st.columns(3)
    c[0].metric(_("Beds (all zones)"), f"{beds:,}", help=_("Beds the registry of places lists (capacity, else rooms × 2)."))
    c[1].metric(_("Rooms"), f"{int(df['rooms'].sum()):,}", help=_("Rooms the registry of places lists."))
    c[2].metric(_("Overnight visitors / night"), f"{df['overnight_per_night'].sum():,.0f}",
                help=_("Observed devices present at 02:00, average night (the sample behind the estimate)."))
    if beds == 0:
        st.warning(_("No accommodation with rooms or capacity is loaded, so no zone has a pressure index yet."))
    _supply_note(supply, df)
    state.altair_chart(charts.supply_demand_chart, zones)
    # the outside row only when something lies outside every zone of the level
    listed = df[~df["outside"] | (df["beds"] > 0) | (df["visitor_nights"] > 0)]
    st.dataframe(
        listed.assign(pressure_label=listed["pressure_label"].map(_)).pipe(with_name)[["name", "accommodations", "rooms", "beds", "supply_beds", "est_overnight_per_night",
                "overnight_per_night", "pressure", "peak_pressure", "pressure_label", "registry_coverage",
                "thin_registry", "observed_pressure"]],
        hide_index=True, width="stretch",
        column_config={
            "name": _("Zone"),
            "accommodations": st.column_config.NumberColumn(_("Accommodations listed"), format="%d"),
            "rooms": st.column_config.NumberColumn(_("Rooms listed"), format="%d"),
            "beds": st.column_config.NumberColumn(_("Beds listed"), format="%d"),
            "supply_beds": st.column_config.NumberColumn(_("Beds (published supply)"), format="%.0f"),
            "est_overnight_per_night": st.column_config.NumberColumn(_("Overnight visitors / night (estimate)"),
                                                                     format="%.0f"),
            "overnight_per_night": st.column_config.NumberColumn(_("Observed devices / night"), format="%.1f"),
            "pressure": st.column_config.NumberColumn(_("Pressure index (estimate)"), format="%.2f"),
            "peak_pressure": st.column_config.NumberColumn(_("Peak-night pressure"), format="%.2f"),
            "pressure_label": _("Class"),
            "registry_coverage": st.column_config.NumberColumn(
                _("Registry coverage"), format="%.2f",
                help=_("Share of the registry's beds ÷ share of the estimated overnight visitors: below 0.5 the "
                       "registry lists few places where many visitors sleep, so scaled beds understate supply.")),
            "thin_registry": st.column_config.CheckboxColumn(_("Registry thin")),
            "observed_pressure": st.column_config.NumberColumn(_("Observed pressure"), format="%.3f"),
        },
    )
    st.caption(_(PRESSURE_DEFINITION))
    if filters.zone_level != vocab.DEFAULT_ZONE_LEVEL:
        st.caption(_(LEVEL_NOTE))
    return zones


def _supply_note(supply: capacity.PublishedSupply, df: pd.DataFrame) -> None:
    """Say which supply the pressure uses (district, province scale or listed beds), the city's implied
    occupancy against the published rooms (and the hotels' rooms as a bound), and where the registry is thin."""
    if supply.basis == "province":
        st.info(_("Supply: the registry lists {places} accommodations with {rooms} rooms; the province has {pub} "
                  "published rooms ({src}), so each listed room stands for {k} rooms (no district figures are "
                  "published in this database).").format(
            places=f"{supply.registry_places:,}", rooms=f"{supply.registry_rooms:,}", pub=f"{supply.rooms:,.0f}",
            src=markdown_text(supply.source), k=f"{supply.scale:.1f}"))
    elif supply.basis == "listed":
        st.warning(_("No published room total in this database: the pressure uses the registry's listed beds only."))
    if supply.beds:
        est = float(df["est_overnight_per_night"].sum())
        line = _("Implied city occupancy for this view: **{occ}** of {beds} beds ({rooms} rooms × {ppr} persons).").format(
            occ=f"{est / supply.beds:.0%}", beds=f"{supply.beds:,.0f}", rooms=f"{supply.rooms:,.0f}",
            ppr=f"{supply.persons_per_room:g}")
        if supply.rooms_hotels:
            line += " " + _("Against the hotels' {h} rooms alone (a lower bound on supply) it would be {occ}.").format(
                h=f"{supply.rooms_hotels:,.0f}", occ=f"{est / (supply.rooms_hotels * supply.persons_per_room):.0%}")
        try:
            cal = state.call(calibration.calibration)
        except DataNotBuiltError:
            cal = None
        peak = cal.peak if cal is not None else None
        if peak is not None and peak.implied_occupancy is not None:
            line += " " + _("Peak month {m}: {occ}").format(m=peak.month, occ=f"{peak.implied_occupancy:.0%}")
            if cal.annual_occupancy is not None:
                line += " " + _("(published yearly rate {p}: {d:+.0f} points).").format(
                    p=f"{cal.annual_occupancy:.1%}", d=(peak.implied_occupancy - cal.annual_occupancy) * 100)
        st.markdown(line)  # trusted-text: translated literals and formatted numbers, the source escaped
    thin = df[df["thin_registry"]]
    if not thin.empty:
        st.caption(_("Registry thin (few listed beds for the estimated overnight visitors, their pressure reads "
                     "high): {zones}.").format(zones=", ".join(markdown_text(n) for n in names_of(thin))))


def render() -> None:
    """Supply vs demand chart and table, then the pressure map with an attraction's catchment."""
    st.title(_("Accommodation and capacity"))
    filters = state.sidebar_filters(show_categories=False, show_zone_level=True)
    attractions = state.call(geography.list_places, ("attraction",))
    if attractions.empty:
        st.warning(_("No attractions are loaded; the catchment needs at least one."))
        return
    ids = attractions["place_id"].tolist()
    attraction = capacity_page.attraction_param(ids)
    level_name = vocab.zone_level_label(filters.zone_level)
    st.subheader(_("Supply against demand by zone: {level}").format(level=markdown_text(_(level_name))))
    pressure = _supply_demand(filters)
    st.subheader(_("Pressure map and attraction catchment"))
    zones = state.call(geography.zones_geojson, filters.zone_level)
    place_id, km, catch = capacity_page.catchment_section(attractions, attraction, pressure, zones)
    drawn_area.render_summary(filters)
    state.provenance_note()
    export.section("capacity", filters, export.zones("pressure_by_zone", zones, pressure),
                   export.points("catchment", catch.accommodation), export.table("catchment_price_bands", catch.by_price_band),
                   fields=("dates", "weekdays", "segments"), extra={"attraction": place_id, "km": f"{km:g}"})


state.guard(render)
