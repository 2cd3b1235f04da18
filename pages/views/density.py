"""Visitor density: a heat map or H3 choropleth of people present, hour/season playback, drill-down, a drawn area's
numbers, people present by zone of the chosen level, area summary of a tourism zone."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo import vocab
from geo.errors import DataNotBuiltError
from geo.i18n import _
from geo.render import charts, presence_maps
from geo.services import geography, presence
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import area as drawn_area
from ui import estimates, export, state, url

VIEWS = {"heat": "Heat map", "hex": "H3 hexagons (choropleth)"}
ALL_HOURS = "all"
HOUR_CHOICES = (ALL_HOURS, *(str(h) for h in range(24)))

VIEW = url.PageParam("d_view", "dens_view", "heat", tuple(VIEWS))
SEASON = url.PageParam("d_season", "dens_season", "range", tuple(vocab.SEASONS), why="not a season or month")
HOUR = url.PageParam("d_hour", "dens_hour", ALL_HOURS, HOUR_CHOICES, why="hours are all or 0 to 23")
#: The drilled-down cell, as H3 hex text of the atlas' resolution; the widget is the map click.
CELL = url.PageParam("d_cell", "dens_click", None, parse=lambda raw: _cell_centre(raw),
                     why="not an H3 cell of the atlas' resolution")


def _cell_centre(raw: str) -> tuple[float, float]:
    centre = presence.cell_centre(raw)
    if centre is None:
        raise ValueError(raw)
    return centre


#: The zone of the area summary (its allowed values and default come from the database at run time).
ZONE = url.PageParam("d_zone", "dens_zone", None)


def _shown(f: Filters, hour: int | None) -> tuple[int, int]:
    """Hours to highlight in hour charts: the playback hour, else the sidebar range."""
    return (hour, hour) if hour is not None else f.hours


def render_drilldown(f: Filters, season: str, hour: int | None, zone_names: dict[str, str]) -> None:
    """Numbers for the cell under the last map click (stored in session state)."""
    click = st.session_state.get(CELL.widget_key)
    if not click:
        st.caption("Click the map to see the numbers of the H3 cell under the pointer and select its zone.")
        return
    detail = state.call(presence.cell_detail, click[0], click[1], f, season, hour, floor=state.privacy_floor())
    if detail is None:
        st.info("The clicked point lies outside the atlas' H3 cells.")
        return
    zone = zone_names.get(detail.zone_id or "", detail.zone_name or "—")
    st.markdown(f"**Cell `{detail.cell_hex}`** in {markdown_text(zone)}")  # trusted-text: cell_hex is hex digits from h3
    if detail.suppressed:
        st.info("Too few people in this cell for the selection: figures are withheld in the public view.")
        return
    cols = st.columns(3)
    cols[0].metric("People present (avg per hour)", f"{detail.present:,.1f}")
    cols[1].metric("Peak hour", "—" if detail.peak_hour is None else f"{detail.peak_hour:02d}:00")
    cols[2].metric("People at peak (avg)", "—" if detail.peak_present is None else f"{detail.peak_present:,.1f}")
    if not detail.hours.empty:
        state.altair_chart(charts.hour_chart, detail.hours, "This cell: people present by hour", _shown(f, hour))


def render_area_summary(f: Filters, zone_id: str, zone_names: dict[str, str], hour: int | None) -> None:
    """The chosen zone's figures: visitors, time in zone, origins, places and hour profile."""
    summary = state.call(presence.zone_summary, f, zone_id, floor=0)  # officials only (see render)
    if summary is None:
        st.info("Unknown zone.")
        return
    cols = st.columns(4)
    cols[0].metric("Visitors (people-days)", f"{summary.visitors or 0:,}", help=presence.VISITORS_DEFINITION)
    avg = summary.avg_daily_visitors
    cols[1].metric("Visitors per day (average)", "—" if avg is None else f"{avg:,.0f}")
    hours = summary.hours_per_visitor
    cols[2].metric("Time in zone per visitor-day", "—" if hours is None else f"{hours:.1f} h")
    share = summary.international_share
    cols[3].metric("International share", "—" if share is None else f"{share:.1%}")
    st.caption(
        f"{summary.overnight or 0:,} overnight, {summary.day_trippers or 0:,} day-tripper and "
        f"{summary.residents or 0:,} resident people-days; area {summary.area_km2:.1f} km²."
    )
    left, right = st.columns(2)
    with left:
        origins = state.call(presence.origin_mix, f, zone_id, 8, floor=0)
        if origins.empty:
            st.info("No visitors in this zone for the selection.")
        else:
            st.markdown("**Top origins**")
            st.dataframe(
                origins[["origin", "visitors", "share"]], hide_index=True,
                column_config={"origin": "Origin", "visitors": st.column_config.NumberColumn("People-days", format="%d"),
                               "share": st.column_config.NumberColumn("Share", format="percent")},
            )
    with right:
        places = state.call(presence.top_places, f, zone_id, 8, floor=0)
        if places.empty:
            st.info("No place visits in this zone for the selection.")
        else:
            st.markdown("**Top places**")
            st.dataframe(
                places[["name_en", "visits", "avg_dwell_minutes"]], hide_index=True,
                column_config={"name_en": "Place", "visits": st.column_config.NumberColumn("Visits", format="%d"),
                               "avg_dwell_minutes": st.column_config.NumberColumn("Avg dwell (min)", format="%.0f")},
            )
    profile = state.call(presence.hour_profile, f, zone_id, floor=0)
    if not profile.empty:
        title = f"{zone_names.get(zone_id, zone_id)}: people present by hour (average day)"
        state.altair_chart(charts.hour_chart, profile, title, _shown(f, hour))


def render_level(f: Filters, season: str, hour: int | None) -> None:
    """People present per zone of the chosen zone level: the map's cells summed per zone (officials only)."""
    try:
        df = state.call(presence.level_density, f, season, hour, floor=0)  # officials only (see render)
    except DataNotBuiltError as exc:  # a database older than zone levels, or a level without its lookup
        st.info(markdown_text(exc))
        return
    zones = df[~df["outside"]]
    if int(df["visitor_hours"].sum()) == 0:
        st.info("No presence data for this selection.")
        return
    shown = df if int(df.loc[df["outside"], "visitor_hours"].sum()) else zones
    st.dataframe(
        shown[["name_en", "name_th", "present", "share", "cells_with_data", "area_km2"]],
        hide_index=True,
        column_config={
            "name_en": "Zone", "name_th": "ชื่อ",
            "present": st.column_config.NumberColumn("People present (avg per hour)", format="%.1f"),
            "share": st.column_config.NumberColumn("Share", format="percent"),
            "cells_with_data": st.column_config.NumberColumn("Cells with people", format="%d"),
            "area_km2": st.column_config.NumberColumn("Area (km²)", format="%.1f"),
        },
    )
    st.caption(f"{presence.LEVEL_DEFINITION} Same months, weekdays, hours and segments as the map.")


def render() -> None:
    """The density page body."""
    f = state.sidebar_filters(show_categories=False, show_zone_level=True)
    st.title("Visitor density")
    st.caption(
        f"Where people are, per H3 cell (resolution 8, ≈0.7 km²). {presence.PRESENT_DEFINITION} The map uses the "
        "monthly presence profile of the chosen months (by default every month the date range touches), "
        "the selected weekdays and origin segments, and the sidebar hours or the single playback hour."
    )
    state.provenance_note()

    hours = [ALL_HOURS] + [str(h) for h in range(f.hours[0], f.hours[1] + 1)]
    state.seed(HOUR)
    if st.session_state[HOUR.widget_key] not in hours:  # the sidebar hours changed under the playback hour
        st.session_state[HOUR.widget_key] = ALL_HOURS

    c1, c2, c3 = st.columns([1.2, 1.3, 2.5])
    view = c1.radio("Map", tuple(VIEWS), key=state.seed(VIEW), format_func=VIEWS.get, horizontal=True)
    season = c2.selectbox("Season or month", tuple(vocab.SEASONS), key=state.seed(SEASON),
                          format_func=lambda s: vocab.SEASONS[s][0])
    hour_raw = c3.select_slider(
        "Hour of day (playback: slide to replay the day)", options=hours, key=HOUR.widget_key,
        format_func=lambda h: "All selected hours" if h == ALL_HOURS else f"{int(h):02d}:00",
    )
    state.store(VIEW, view)
    state.store(SEASON, season)
    state.store(HOUR, hour_raw)
    hour = None if hour_raw == ALL_HOURS else int(hour_raw)

    public = state.app_settings().is_public
    floor = state.privacy_floor()
    cells = state.call(presence.cell_density, f, season, hour, floor=floor)
    zones_geojson = state.call(geography.zones_geojson, f.zone_level)  # the chosen level's outlines
    zones = state.call(geography.list_zones)
    zone_names = dict(zip(zones["zone_id"], zones["name_en"], strict=True))
    months = presence.season_months(season, f)
    when = "all selected hours" if hour is None else f"{hour:02d}:00–{hour:02d}:59"
    month_names = ", ".join(date(2000, m, 1).strftime("%b") for m in months)
    note = f"{len(cells):,} cells · {month_names} · {when}"
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
            info = state.call(presence.cell_detail, point[0], point[1], f, season, hour, floor=floor)
            if info is not None and info.zone_id in zone_names:
                st.session_state[ZONE.widget_key] = info.zone_id
            st.rerun()

    if cells.empty:
        st.info("No presence data for this selection: widen the hours, weekdays, segments or months.")
    else:
        top = cells.head(1).to_dict("records")[0]
        k = st.columns(4)
        if "est_present" in cells.columns:
            estimates.headline(k[0], _("People present, avg per hour"), float(cells["est_present"].sum()),
                               round(float(cells["present"].sum())),
                               help_text=_("Estimated people present: observed people present × the expansion "
                                           "weight of their origin segment and month."))
        k[1].metric("People present (avg per hour, all cells)", f"{cells['present'].sum():,.0f}",
                    help=_("Observed devices (the sample behind the estimate)."))
        k[2].metric("Busiest cell (people present)", f"{top['present']:,.1f}",
                    help=f"In {markdown_text(zone_names.get(top['zone_id'], top['zone_id']))}")
        k[3].metric("Cells shown" if public else "Cells with people", f"{len(cells):,}",
                    help="Public view: only figures of at least the privacy floor are summed and shown." if public else None)
        if "est_present" in cells.columns:
            estimates.method_popover("density_method")

    drawn_area.render_summary(f, season, hour)  # public view: sums of the map's own floored units (ui.area)

    st.subheader("Drill-down")
    render_drilldown(f, season, hour, zone_names)

    st.subheader("Area summary")
    if public:
        # Officials only, so render_area_summary needs no public-floor branches. Zone figures come from
        # day-level rollups under a free date range: two ranges a day apart would differ by one day's
        # small count, which no per-figure floor prevents. Not public until they are published at a
        # fixed, floored grain.
        # The summary by zone level is officials only too, although it could respect the floor (it sums
        # the floored profile rows the map shows): the public view shows nothing it did not show before
        # zone levels existed, and sidebar_filters offers public visitors the tourism zones only.
        st.info("Zone summaries are not part of the public view.")
        export.section("density", f, fields=DENSITY_FIELDS, extra={"season": season, "hour": hour_raw})
        return
    st.markdown(f"**People present by zone: {markdown_text(vocab.zone_level_label(f.zone_level))}**")
    render_level(f, season, hour)
    st.markdown("**One tourism zone**")
    zone_ids = tuple(zones["zone_id"])
    default_zone = "old_city" if "old_city" in zone_ids else zone_ids[0]
    zone_param = url.PageParam(ZONE.key, ZONE.widget_key, default_zone, zone_ids, why="not a zone of the atlas")
    zone_id = st.selectbox("Zone", zone_ids, key=state.seed(zone_param), format_func=lambda z: zone_names.get(z, z))
    state.store(zone_param, zone_id)
    render_area_summary(f, zone_id, zone_names, hour)
    export.section("density", f, export.cells("cells", cells),
                   export.record("zone_summary", state.call(presence.zone_summary, f, zone_id, floor=0)),
                   export.table("zone_origins", state.call(presence.origin_mix, f, zone_id, 8, floor=0)),
                   export.table("zone_top_places", state.call(presence.top_places, f, zone_id, 8, floor=0)),
                   export.table("zone_hour_profile", state.call(presence.hour_profile, f, zone_id, floor=0)),
                   fields=DENSITY_FIELDS, extra={"season": season, "hour": hour_raw, "zone": zone_id})


#: The shared filters the density page applies (its sidebar has no place categories).
DENSITY_FIELDS = ("dates", "weekdays", "hours", "segments")


state.guard(render)
