"""Visitor density: a heat map or H3 choropleth of people present, hour/season playback, drill-down, area summary."""

from __future__ import annotations

from datetime import date

import streamlit as st

from geo import vocab
from geo.render import charts, presence_maps
from geo.services import geography, presence
from geo.services.filters import Filters
from ui import state

VIEWS = {"heat": "Heat map", "hex": "H3 hexagons (choropleth)"}
ALL_HOURS = "all"


def _init(key: str, url_key: str, default: str, allowed: tuple[str, ...]) -> None:
    """Seed a widget's state from the URL once per session (invalid values fall back with a note)."""
    if key not in st.session_state:
        st.session_state[key] = state.page_param(url_key, default, allowed)


def _shown(f: Filters, hour: int | None) -> tuple[int, int]:
    """Hours to highlight in hour charts: the playback hour, else the sidebar range."""
    return (hour, hour) if hour is not None else f.hours


def render_drilldown(f: Filters, season: str, hour: int | None, zone_names: dict[str, str]) -> None:
    """Numbers for the cell under the last map click (stored in session state)."""
    click = st.session_state.get("dens_click")
    if not click:
        st.caption("Click the map to see the numbers of the H3 cell under the pointer and select its zone.")
        return
    detail = state.call(presence.cell_detail, click[0], click[1], f, season, hour)
    if detail is None:
        st.info("The clicked point lies outside the atlas' H3 cells.")
        return
    st.markdown(f"**Cell `{detail['cell_hex']}`** in {zone_names.get(detail['zone_id'], detail['zone_name'] or '—')}")
    if detail["suppressed"]:
        st.info("Too few people in this cell for the selection: figures are withheld in the public view.")
        return
    cols = st.columns(3)
    cols[0].metric("People present (avg per hour)", f"{detail['present']:,.1f}")
    cols[1].metric("Peak hour", "—" if detail["peak_hour"] is None else f"{detail['peak_hour']:02d}:00")
    cols[2].metric("People at peak (avg)", "—" if detail["peak_present"] is None else f"{detail['peak_present']:,.1f}")
    if not detail["hours"].empty:
        state.altair_chart(charts.hour_chart, detail["hours"], "This cell: people present by hour", _shown(f, hour))


def render_area_summary(f: Filters, zone_id: str, zone_names: dict[str, str], hour: int | None) -> None:
    """The chosen zone's figures: visitors, time in zone, origins, places and hour profile."""
    summary = state.call(presence.zone_summary, f, zone_id)
    if summary is None:
        st.info("Unknown zone.")
        return
    cols = st.columns(4)
    cols[0].metric("Visitors (people-days)", f"{summary['visitors']:,}", help=presence.VISITORS_DEFINITION)
    avg = summary["avg_daily_visitors"]
    cols[1].metric("Visitors per day (average)", "—" if avg is None else f"{avg:,.0f}")
    hours = summary["hours_per_visitor"]
    cols[2].metric("Time in zone per visitor-day", "—" if hours is None else f"{hours:.1f} h")
    share = summary["international_share"]
    cols[3].metric("International share", "—" if share is None else f"{share:.1%}")
    st.caption(
        f"{summary['overnight']:,} overnight, {summary['day_trippers']:,} day-tripper and {summary['residents']:,} "
        f"resident people-days; area {summary['area_km2']:.1f} km²."
    )
    left, right = st.columns(2)
    with left:
        origins = state.call(presence.origin_mix, f, zone_id, 8)
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
        places = state.call(presence.top_places, f, zone_id, 8)
        if places.empty:
            st.info("No place visits in this zone for the selection.")
        else:
            st.markdown("**Top places**")
            st.dataframe(
                places[["name_en", "visits", "avg_dwell_minutes"]], hide_index=True,
                column_config={"name_en": "Place", "visits": st.column_config.NumberColumn("Visits", format="%d"),
                               "avg_dwell_minutes": st.column_config.NumberColumn("Avg dwell (min)", format="%.0f")},
            )
    profile = state.call(presence.hour_profile, f, zone_id)
    if not profile.empty:
        title = f"{zone_names.get(zone_id, zone_id)}: people present by hour (average day)"
        state.altair_chart(charts.hour_chart, profile, title, _shown(f, hour))


def render() -> None:
    """The density page body."""
    f = state.sidebar_filters(show_categories=False)
    st.title("Visitor density")
    st.caption(
        f"Where people are, per H3 cell (resolution 8, ≈0.7 km²). {presence.PRESENT_DEFINITION} The map uses the "
        "monthly presence profile of the chosen months (by default every month the date range touches), "
        "the selected weekdays and origin segments, and the sidebar hours or the single playback hour."
    )
    state.provenance_note()

    _init("dens_view", "d_view", "heat", tuple(VIEWS))
    _init("dens_season", "d_season", "range", tuple(vocab.SEASONS))
    hours = [ALL_HOURS] + [str(h) for h in range(f.hours[0], f.hours[1] + 1)]
    _init("dens_hour", "d_hour", ALL_HOURS, tuple(hours))
    if st.session_state["dens_hour"] not in hours:  # the sidebar hours changed under the playback hour
        st.session_state["dens_hour"] = ALL_HOURS

    c1, c2, c3 = st.columns([1.2, 1.3, 2.5])
    view = c1.radio("Map", tuple(VIEWS), key="dens_view", format_func=VIEWS.get, horizontal=True)
    season = c2.selectbox("Season or month", tuple(vocab.SEASONS), key="dens_season",
                          format_func=lambda s: vocab.SEASONS[s][0])
    hour_raw = c3.select_slider(
        "Hour of day (playback: slide to replay the day)", options=hours, key="dens_hour",
        format_func=lambda h: "All selected hours" if h == ALL_HOURS else f"{int(h):02d}:00",
    )
    state.set_page_param("d_view", view, "heat")
    state.set_page_param("d_season", season, "range")
    state.set_page_param("d_hour", hour_raw, ALL_HOURS)
    hour = None if hour_raw == ALL_HOURS else int(hour_raw)

    public = state.app_settings().is_public
    cells = state.call(presence.cell_density, f, season, hour)
    zones_geojson = state.call(geography.zones_geojson)
    zones = state.call(geography.list_zones)
    zone_names = dict(zip(zones["zone_id"], zones["name_en"], strict=True))
    months = presence.season_months(season, f)
    when = "all selected hours" if hour is None else f"{hour:02d}:00–{hour:02d}:59"
    month_names = ", ".join(date(2000, m, 1).strftime("%b") for m in months)
    note = f"{len(cells):,} cells · {month_names} · {when}"
    if "dens_click" not in st.session_state:  # a copied address may name the drilled-down cell
        raw = state.page_param("d_cell", "")
        centre = presence.cell_centre(raw) if raw else None
        if raw and centre is None:
            st.sidebar.warning(f"Ignored URL parameter d_cell={raw!r}: not an H3 cell of the atlas' resolution; "
                               "using the default.")
        st.session_state["dens_click"] = centre
    click = st.session_state.get("dens_click")
    selected = (presence.cell_at(click[0], click[1]),) if click else ()
    state.set_page_param("d_cell", format(selected[0], "x") if selected else None)
    builder = presence_maps.heat_map if view == "heat" else presence_maps.choropleth_map
    out = state.folium_map(builder, cells, zones_geojson, note=note, selected=selected, key="density_map",
                           height=560, returned_objects=["last_clicked"])
    last = (out or {}).get("last_clicked")
    if last and last.get("lat") is not None:
        point = (round(float(last["lat"]), 6), round(float(last["lng"]), 6))
        if point != st.session_state.get("dens_click"):
            st.session_state["dens_click"] = point
            info = state.call(presence.cell_detail, point[0], point[1], f, season, hour)
            if info is not None and info["zone_id"] in zone_names:
                st.session_state["dens_zone"] = info["zone_id"]
            st.rerun()

    if cells.empty:
        st.info("No presence data for this selection: widen the hours, weekdays, segments or months.")
    else:
        top = cells.head(1).to_dict("records")[0]
        k = st.columns(3)
        k[0].metric("People present (avg per hour, all cells)", f"{cells['present'].sum():,.0f}")
        k[1].metric("Busiest cell (people present)", f"{top['present']:,.1f}",
                    help=f"In {zone_names.get(top['zone_id'], top['zone_id'])}")
        k[2].metric("Cells shown" if public else "Cells with people", f"{len(cells):,}",
                    help="Public view: only figures of at least the privacy floor are summed and shown." if public else None)

    st.subheader("Drill-down")
    render_drilldown(f, season, hour, zone_names)

    st.subheader("Area summary")
    if public:
        # Officials only, so render_area_summary needs no public-floor branches. Zone figures come from
        # day-level rollups under a free date range: two ranges a day apart would differ by one day's
        # small count, which no per-figure floor prevents. Not public until they are published at a
        # fixed, floored grain.
        st.info("Zone summaries are not part of the public view.")
        return
    zone_ids = tuple(zones["zone_id"])
    default_zone = "old_city" if "old_city" in zone_ids else zone_ids[0]
    _init("dens_zone", "d_zone", default_zone, zone_ids)
    zone_id = st.selectbox("Zone", zone_ids, key="dens_zone", format_func=lambda z: zone_names.get(z, z))
    state.set_page_param("d_zone", zone_id, default_zone)
    render_area_summary(f, zone_id, zone_names, hour)


state.guard(render)
