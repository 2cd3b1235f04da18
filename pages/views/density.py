"""Visitor density: a heat map or H3 choropleth of people present, hour/season playback, drill-down, a drawn area's
numbers, people present by zone of the chosen level, area summary of a tourism zone."""

from __future__ import annotations

import streamlit as st

from geo import vocab
from geo.errors import DataNotBuiltError
from geo.i18n import N_, _
from geo.render import charts
from geo.services import geography, presence
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import area as drawn_area
from ui import density_page, estimates, export, lang, state, url
from ui.names import names_of, origin_words, with_name

ALL_HOURS = density_page.ALL_HOURS
VIEW, HOUR, CELL = density_page.VIEW, density_page.HOUR, density_page.CELL
SEASON = url.PageParam("d_season", "dens_season", "range", tuple(vocab.SEASONS), why=N_("not a season or month"))


#: The zone of the area summary (its allowed values and default come from the database at run time).
ZONE = url.PageParam("d_zone", "dens_zone", None)


def render_drilldown(f: Filters, season: str, hour: int | None, zone_names: dict[str, str]) -> None:
    """Numbers for the cell under the last map click (stored in session state)."""
    click = st.session_state.get(CELL.widget_key)
    if not click:
        st.caption(_("Click the map to see the numbers of the H3 cell under the pointer and select its zone."))
        return
    detail = state.call(presence.cell_detail, click[0], click[1], f, season, hour, floor=state.privacy_floor())
    if detail is None:
        st.info(_("The clicked point lies outside the atlas' H3 cells."))
        return
    density_page.cell_figures(detail, f, hour, zone_names,
                              _("Too few people in this cell for the selection: figures are withheld in the public view."))


def render_area_summary(f: Filters, zone_id: str, zone_names: dict[str, str], hour: int | None) -> None:
    """The chosen zone's figures: visitors, time in zone, origins, places and hour profile."""
    summary = state.call(presence.zone_summary, f, zone_id, floor=0)  # officials only (see render)
    if summary is None:
        st.info(_("Unknown zone."))
        return
    cols = st.columns(4)
    cols[0].metric(_("Visitors (people-days)"), f"{summary.visitors or 0:,}", help=_(presence.VISITORS_DEFINITION))
    avg = summary.avg_daily_visitors
    cols[1].metric(_("Visitors per day (average)"), "—" if avg is None else f"{avg:,.0f}")
    hours = summary.hours_per_visitor
    cols[2].metric(_("Time in zone per visitor-day"), "—" if hours is None else _("{n} h").format(n=f"{hours:.1f}"))
    share = summary.international_share
    cols[3].metric(_("International share"), "—" if share is None else f"{share:.1%}")
    st.caption(
        _("{overnight} overnight, {day} day-tripper and {residents} resident people-days; area {area} km².").format(
            overnight=f"{summary.overnight or 0:,}", day=f"{summary.day_trippers or 0:,}",
            residents=f"{summary.residents or 0:,}", area=f"{summary.area_km2:.1f}")
    )
    left, right = st.columns(2)
    with left:
        origins = state.call(presence.origin_mix, f, zone_id, 8, floor=0)
        if origins.empty:
            st.info(_("No visitors in this zone for the selection."))
        else:
            st.markdown(_("**Top origins**"))
            st.dataframe(
                origins.assign(origin=origin_words(origins["origin"]))[["origin", "visitors", "share"]], hide_index=True,
                column_config={"origin": _("Origin"), "visitors": st.column_config.NumberColumn(_("People-days"), format="%d"),
                               "share": st.column_config.NumberColumn(_("Share"), format="percent")},
            )
    with right:
        places = state.call(presence.top_places, f, zone_id, 8, floor=0)
        if places.empty:
            st.info(_("No place visits in this zone for the selection."))
        else:
            st.markdown(_("**Top places**"))
            st.dataframe(
                with_name(places)[["name", "visits", "avg_dwell_minutes"]], hide_index=True,
                column_config={"name": _("Place"), "visits": st.column_config.NumberColumn(_("Visits"), format="%d"),
                               "avg_dwell_minutes": st.column_config.NumberColumn(_("Avg dwell (min)"), format="%.0f")},
            )
    profile = state.call(presence.hour_profile, f, zone_id, floor=0)
    if not profile.empty:
        title = _("{zone}: people present by hour (average day)").format(zone=zone_names.get(zone_id, zone_id))
        state.altair_chart(charts.hour_chart, profile, title, density_page.shown(f, hour))


def render_level(f: Filters, season: str, hour: int | None) -> None:
    """People present per zone of the chosen zone level: the map's cells summed per zone (officials only)."""
    try:
        df = state.call(presence.level_density, f, season, hour, floor=0)  # officials only (see render)
    except DataNotBuiltError as exc:  # a database older than zone levels, or a level without its lookup
        st.info(markdown_text(exc))
        return
    zones = df[~df["outside"]]
    if int(df["visitor_hours"].sum()) == 0:
        st.info(_("No presence data for this selection."))
        return
    shown = df if int(df.loc[df["outside"], "visitor_hours"].sum()) else zones
    density_page.zone_table(shown, _("Cells with people"))
    st.caption(_(presence.LEVEL_DEFINITION) + " " + _("Same months, weekdays, hours and segments as the map."))


def render() -> None:
    """The density page body."""
    f = state.sidebar_filters(show_categories=False, show_zone_level=True)
    st.title(_("Visitor density"))
    st.caption(
        _("Where people are, per H3 cell (resolution 8, ≈0.7 km²).") + " " + _(presence.PRESENT_DEFINITION) + " "
        + _("The map uses the monthly presence profile of the chosen months (by default every month the date "
            "range touches), the selected weekdays and origin segments, and the sidebar hours or the single "
            "playback hour.")
    )
    state.provenance_note()

    hours = density_page.playback_hours(f)

    c1, c2, c3 = st.columns([1.2, 1.3, 2.5])
    view = density_page.view_radio(c1)
    season = c2.selectbox(_("Season or month"), tuple(vocab.SEASONS), key=state.seed(SEASON),
                          format_func=lang.season_label)
    hour_raw = density_page.hour_slider(c3, hours)
    state.store(VIEW, view)
    state.store(SEASON, season)
    state.store(HOUR, hour_raw)
    hour = None if hour_raw == ALL_HOURS else int(hour_raw)

    public = state.app_settings().is_public
    floor = state.privacy_floor()
    cells = state.call(presence.cell_density, f, season, hour, floor=floor)
    zones_geojson = state.call(geography.zones_geojson, f.zone_level)  # the chosen level's outlines
    zones = state.call(geography.list_zones)
    zone_names = dict(zip(zones["zone_id"], names_of(zones), strict=True))
    months = presence.season_months(season, f)
    when = _("all selected hours") if hour is None else f"{hour:02d}:00–{hour:02d}:59"
    month_names = ", ".join(lang.month_name(m, "abbreviated") for m in months)
    note = _("{n} cells · {months} · {when}").format(n=f"{len(cells):,}", months=month_names, when=when)
    point = density_page.density_map(view, cells, zones_geojson, note)
    if point is not None:
        info = state.call(presence.cell_detail, point[0], point[1], f, season, hour, floor=floor)
        if info is not None and info.zone_id in zone_names:
            st.session_state[ZONE.widget_key] = info.zone_id
        st.rerun()

    if cells.empty:
        st.info(_("No presence data for this selection: widen the hours, weekdays, segments or months."))
    else:
        top = cells.head(1).to_dict("records")[0]
        k = st.columns(4)
        if "est_present" in cells.columns:
            estimates.headline(k[0], _("People present, avg per hour"), float(cells["est_present"].sum()),
                               round(float(cells["present"].sum())),
                               help_text=_("Estimated people present: observed people present × the expansion "
                                           "weight of their origin segment and month."))
        k[1].metric(_("People present (avg per hour, all cells)"), f"{cells['present'].sum():,.0f}",
                    help=_("Observed devices (the sample behind the estimate)."))
        k[2].metric(_("Busiest cell (people present)"), f"{top['present']:,.1f}",
                    help=_("In {zone}").format(zone=markdown_text(zone_names.get(top["zone_id"], top["zone_id"]))))
        k[3].metric(_("Cells shown") if public else _("Cells with people"), f"{len(cells):,}",
                    help=_("Public view: only figures of at least the privacy floor are summed and shown.") if public else None)
        if "est_present" in cells.columns:
            estimates.method_popover("density_method")

    drawn_area.render_summary(f, season, hour)  # public view: sums of the map's own floored units (ui.area)

    st.subheader(_("Drill-down"))
    render_drilldown(f, season, hour, zone_names)

    st.subheader(_("Area summary"))
    if public:
        # Officials only, so render_area_summary needs no public-floor branches. Zone figures come from
        # day-level rollups under a free date range: two ranges a day apart would differ by one day's
        # small count, which no per-figure floor prevents. Not public until they are published at a
        # fixed, floored grain.
        # The summary by zone level is officials only too, although it could respect the floor (it sums
        # the floored profile rows the map shows): the public view shows nothing it did not show before
        # zone levels existed, and sidebar_filters offers public visitors the tourism zones only.
        st.info(_("Zone summaries are not part of the public view."))
        export.section("density", f, fields=DENSITY_FIELDS, extra={"season": season, "hour": hour_raw})
        return
    st.markdown(_("**People present by zone: {level}**").format(level=markdown_text(_(vocab.zone_level_label(f.zone_level)))))
    render_level(f, season, hour)
    st.markdown(_("**One tourism zone**"))
    zone_ids = tuple(zones["zone_id"])
    default_zone = "old_city" if "old_city" in zone_ids else zone_ids[0]
    zone_param = url.PageParam(ZONE.key, ZONE.widget_key, default_zone, zone_ids, why=N_("not a zone of the atlas"))
    zone_id = st.selectbox(_("Zone"), zone_ids, key=state.seed(zone_param), format_func=lambda z: zone_names.get(z, z))
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
