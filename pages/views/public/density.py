"""Public Visitor density: a heat map or H3 choropleth of the published cells, hour playback, drill-down, a drawn
area's numbers and people present by tourism zone — every figure a sum of published rows."""

from __future__ import annotations

import streamlit as st

from geo.i18n import _
from geo.render import charts
from geo.services import geography, public
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import area as drawn_area
from ui import density_page, estimates, export, lang, state
from ui.names import names_of

VIEW, HOUR, CELL = density_page.VIEW, density_page.HOUR, density_page.CELL
ALL_HOURS = density_page.ALL_HOURS


def render_drilldown(f: Filters, hour: int | None, zone_names: dict[str, str]) -> None:
    """Numbers for the cell under the last map click (stored in session state)."""
    click = st.session_state.get(CELL.widget_key)
    if not click:
        st.caption(_("Click the map to see the numbers of the H3 cell under the pointer."))
        return
    detail = state.call(public.cell_detail, click[0], click[1], f, hour)
    if detail is None:
        st.info(_("The clicked point lies outside the atlas' H3 cells."))
        return
    density_page.cell_figures(detail, f, hour, zone_names,
                              _("No published figures for this cell in the selection: it is empty, or has fewer "
                                "people than the privacy floor (the public view does not say which)."))


def render_zones(f: Filters, hour: int | None) -> None:
    """People present per tourism zone: its published cells and the rest of the zone."""
    df = state.call(public.zone_presence, f, hour)
    if int(df["visitor_hours"].sum()) == 0:
        st.info(_("No published presence for this selection."))
        return
    zones = df[~df["outside"]]
    shown = df if int(df.loc[df["outside"], "visitor_hours"].sum()) else zones
    top = zones[zones["visitor_hours"] > 0]
    if not top.empty:
        state.altair_chart(charts.zone_presence_chart, top, _("People present per hour by tourism zone"))
    density_page.zone_table(shown, _("Cells on the map"))
    st.caption(_("A zone's figure sums its cells on the map and the rest of the zone: its cells below the privacy "
                 "floor, published together when they reach it. Same months, weekdays, hours and segments as the map."))


def render() -> None:
    """The public density page body."""
    f = state.sidebar_filters(show_categories=False)
    first, last = public.month_range(f)
    st.title(_("Visitor density"))
    st.caption(
        _("Where people are, per H3 cell (resolution 8, ≈0.7 km²).") + " " + _(public.PRESENT_DEFINITION) + " "
        + _("The map sums the published cells of {first} – {last}, the selected weekdays and origin segments, and "
            "the sidebar hours or the single playback hour.").format(first=lang.month(first), last=lang.month(last))
        + " " + _(public.PUBLISHED_NOTE)
    )
    state.provenance_note()

    hours = density_page.playback_hours(f)
    c1, c2 = st.columns([1.2, 3.8])
    view = density_page.view_radio(c1)
    hour_raw = density_page.hour_slider(c2, hours)
    state.store(VIEW, view)
    state.store(HOUR, hour_raw)
    hour = None if hour_raw == ALL_HOURS else int(hour_raw)

    cells = state.call(public.cell_density, f, hour)
    zones_geojson = state.call(geography.zones_geojson)
    zones = state.call(geography.list_zones)
    zone_names = dict(zip(zones["zone_id"], names_of(zones), strict=True))
    when = _("all selected hours") if hour is None else f"{hour:02d}:00–{hour:02d}:59"
    note = _("{n} cells · {months} · {when}").format(n=f"{len(cells):,}", months=f"{lang.month(first)} – {lang.month(last)}",
                                                    when=when)
    if density_page.density_map(view, cells, zones_geojson, note) is not None:
        st.rerun()

    if cells.empty:
        st.info(_("No published cell for this selection: widen the months, hours, weekdays or segments. The zones' "
                  "figures below also count cells below the floor, published together."))
    else:
        top = cells.head(1).to_dict("records")[0]
        k = st.columns(4)
        estimates.headline(k[0], _("People present, avg per hour"), float(cells["est_present"].sum()),
                           round(float(cells["present"].sum())),
                           help_text=_("Estimated people present: published people present × the published weight "
                                       "of their origin segment and month, over the cells shown."))
        k[1].metric(_("People present (avg per hour, cells shown)"), f"{cells['present'].sum():,.0f}",
                    help=_("Observed: the published counts behind the estimate."))
        k[2].metric(_("Busiest cell (people present)"), f"{top['present']:,.1f}",
                    help=_("In {zone}").format(zone=markdown_text(zone_names.get(top["zone_id"], top["zone_id"]))))
        k[3].metric(_("Cells shown"), f"{len(cells):,}",
                    help=_("Only cells with at least the privacy floor of people in every summed row are drawn."))
        estimates.method_popover("public_density_method")

    drawn_area.render_summary(f, "range", hour)  # sums of the map's own published cells (ui.area)

    st.subheader(_("Drill-down"))
    render_drilldown(f, hour, zone_names)

    st.subheader(_("People present by tourism zone"))
    render_zones(f, hour)
    export.section("density", f, fields=DENSITY_FIELDS, extra={"hour": hour_raw})


#: The shared filters the density page applies (its sidebar has no place categories).
DENSITY_FIELDS = ("dates", "weekdays", "hours", "segments")


state.guard(render)
