"""The Visitor density page's shared parts (pages/views/density.py and pages/views/public/density.py): the map's
address parameters (view, playback hour, clicked cell), the playback slider and the map with its click and
drawing handling. Each page supplies its cells (the officials' presence profile or the published cells)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo.i18n import N_, _
from geo.render import charts, presence_maps
from geo.services import presence
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import area as drawn_area
from ui import state, url
from ui.names import with_name

VIEWS = {"heat": N_("Heat map"), "hex": N_("H3 hexagons (choropleth)")}
ALL_HOURS = "all"
HOUR_CHOICES = (ALL_HOURS, *(str(h) for h in range(24)))

VIEW = url.PageParam("d_view", "dens_view", "heat", tuple(VIEWS))
HOUR = url.PageParam("d_hour", "dens_hour", ALL_HOURS, HOUR_CHOICES, why=N_("hours are all or 0 to 23"))
#: The drilled-down cell, as H3 hex text of the atlas' resolution; the widget is the map click.
CELL = url.PageParam("d_cell", "dens_click", None, parse=lambda raw: _cell_centre(raw),
                     why=N_("not an H3 cell of the atlas' resolution"))


def _cell_centre(raw: str) -> tuple[float, float]:
    centre = presence.cell_centre(raw)
    if centre is None:
        raise ValueError(raw)
    return centre


def shown(f: Filters, hour: int | None) -> tuple[int, int]:
    """Hours to highlight in hour charts: the playback hour, else the sidebar range."""
    return (hour, hour) if hour is not None else f.hours


def playback_hours(f: Filters) -> list[str]:
    """The playback slider's options ("all" and the sidebar's hours); a playback hour outside them resets."""
    hours = [ALL_HOURS] + [str(h) for h in range(f.hours[0], f.hours[1] + 1)]
    state.seed(HOUR)
    if st.session_state[HOUR.widget_key] not in hours:  # the sidebar hours changed under the playback hour
        st.session_state[HOUR.widget_key] = ALL_HOURS
    return hours


def view_radio(column) -> str:
    """The heat map / hexagons choice."""
    return column.radio(_("Map"), tuple(VIEWS), key=state.seed(VIEW), format_func=lambda v: _(VIEWS[v]),
                        horizontal=True)


def hour_slider(column, hours: list[str]) -> str:
    """The playback slider ("all" or an hour, as text)."""
    return column.select_slider(
        _("Hour of day (playback: slide to replay the day)"), options=hours, key=HOUR.widget_key,
        format_func=lambda h: _("All selected hours") if h == ALL_HOURS else f"{int(h):02d}:00",
    )


def density_map(view: str, cells: pd.DataFrame, zones_geojson: str, note: str) -> tuple[float, float] | None:
    """The heat map or hexagons with the clicked cell outlined and the drawing tool. Reruns when a drawing changed;
    returns a newly clicked point (lat, lon), already stored as the drill-down cell, for the page to act on and
    rerun; None otherwise."""
    state.seed(CELL)  # a copied address may name the drilled-down cell
    click = st.session_state.get(CELL.widget_key)
    selected = (presence.cell_at(click[0], click[1]),) if click else ()
    state.store(CELL, format(selected[0], "x") if selected else None)
    builder = presence_maps.heat_map if view == "heat" else presence_maps.choropleth_map
    drawn = drawn_area.current()  # a copied address may name a drawn area
    out = state.folium_map(builder, cells, zones_geojson, note=note, selected=selected, draw_tool=True,
                           area=drawn or (), key="density_map", height=560,
                           returned_objects=["last_clicked", drawn_area.RETURNED])
    if drawn_area.take_drawing(out):  # drawn, edited or deleted: rerun so the map and the address hold it
        st.rerun()
    last = (out or {}).get("last_clicked")
    if last and last.get("lat") is not None:
        point = (round(float(last["lat"]), 6), round(float(last["lng"]), 6))
        if point != st.session_state.get(CELL.widget_key):
            st.session_state[CELL.widget_key] = point
            return point
    return None


def cell_figures(detail: presence.CellDetail, f: Filters, hour: int | None, zone_names: dict[str, str],
                 withheld: str) -> None:
    """A clicked cell's figures: its zone, people present (average and at the peak hour) and the hour chart; the
    ``withheld`` note (translated) instead when the cell's figures are suppressed."""
    zone = zone_names.get(detail.zone_id or "", detail.zone_name or "—")
    st.markdown(_("**Cell `{cell}`** in {zone}").format(cell=detail.cell_hex, zone=markdown_text(zone)))  # trusted-text: cell_hex is hex digits from h3
    if detail.suppressed:
        st.info(withheld)  # trusted-text: a translated literal of the page
        return
    cols = st.columns(3)
    cols[0].metric(_("People present (avg per hour)"), f"{detail.present:,.1f}")
    cols[1].metric(_("Peak hour"), "—" if detail.peak_hour is None else f"{detail.peak_hour:02d}:00")
    cols[2].metric(_("People at peak (avg)"), "—" if detail.peak_present is None else f"{detail.peak_present:,.1f}")
    if not detail.hours.empty:
        state.altair_chart(charts.hour_chart, detail.hours, _("This cell: people present by hour"), shown(f, hour))


def zone_table(shown_rows: pd.DataFrame, cells_label: str) -> None:
    """People present per zone: name, people present per hour, share, cells counted (``cells_label``, translated)
    and area."""
    st.dataframe(
        with_name(shown_rows)[["name", "present", "share", "cells_with_data", "area_km2"]],
        hide_index=True,
        column_config={
            "name": _("Zone"),
            "present": st.column_config.NumberColumn(_("People present (avg per hour)"), format="%.1f"),
            "share": st.column_config.NumberColumn(_("Share"), format="percent"),
            "cells_with_data": st.column_config.NumberColumn(cells_label, format="%d"),
            "area_km2": st.column_config.NumberColumn(_("Area (km²)"), format="%.1f"),
        },
    )
