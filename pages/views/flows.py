"""Flows and routes: the busiest origin → destination corridors between zones or places, the road load of
those corridors when a road network is imported, and a route between places (on roads, or straight lines)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from geo import vocab
from geo.errors import DataNotBuiltError
from geo.i18n import N_, _, ngettext
from geo.render import flow_maps
from geo.render.base import leg_end_name
from geo.services import geography, movement, roads, tours
from geo.services.filters import Filters
from geo.text import markdown_text
from ui import estimates, export, flows_page, lang, state, url
from ui.names import names_of, with_name

TOP = flows_page.TOP

LEVEL_LABELS = {"zone": N_("Zones"), "place": N_("Places")}


LEVEL = url.PageParam("flows", "fl_level", "zone", vocab.FLOW_LEVELS, why=N_("flows are between zones or places"))
ORDER = url.PageParam("order", "fl_order", "given", movement.ROUTE_ORDERS, why=N_("the order is given or best"))
TOUR = url.PageParam("tour", "fl_tour", "open", ("open", "closed"), why=N_("a tour is open or closed"))
DAY_CHOICES = ("0", "4", "6", "8", "10", "12")
DAY = url.PageParam("day", "fl_day", 0, DAY_CHOICES, parse=int, why=N_("a day lasts 4 to 12 hours (0: no day plan)"))
START_CHOICES = tuple(str(h) for h in range(6, 13))
START = url.PageParam("daystart", "fl_start", 9, START_CHOICES, parse=int, why=N_("days start between 6 and 12 o'clock"))
VISIT_CHOICES = ("15", "30", "45", "60", "90", "120", "180")
VISIT = url.PageParam("visit", "fl_visit", 60, VISIT_CHOICES, parse=int, why=N_("minutes at a place are 15 to 180"))
ORDER_LABELS = {"given": N_("As chosen"), "best": N_("Best order")}
IMPORT_HINT = N_("Import an OpenStreetMap extract of the city to route on roads: "
                 "`python -m geo import chiang-mai.osm.pbf --layer roads` (README: Routes on roads).")


def _corridors(filters: Filters, level: str, top_n: int, zones_geojson: str) -> None:
    try:
        corridors = state.call(movement.top_corridors, filters, level, top_n)
        totals = state.call(movement.flow_totals, filters, level)
    except DataNotBuiltError as exc:
        st.info(markdown_text(exc))
        return
    zones = level == "zone"
    c = st.columns(4)
    estimates.headline(c[0], _("Trips between zones") if zones else _("Trips between places"),
                       totals.est_corridor_trips, totals.corridor_trips,
                       help_text=_("Estimated trips: observed trips × the expansion weight of their origin segment "
                                   "and month."))
    c[1].metric(_("Trips between zones") if zones else _("Trips between places"),
                f"{totals.corridor_trips:,}", help=_("Observed devices' trips (the sample behind the estimate)."))
    c[2].metric(_("Trips within one zone") if zones else _("Trips within one place"), f"{totals.internal_trips:,}")
    c[3].metric(_("Corridors with trips"), f"{totals.corridors:,}")
    estimates.method_popover("flows_method")
    flows_page.corridor_map_and_table(corridors, zones_geojson, level)
    st.caption(
        (_("Directed trips {start}–{end} for the chosen weekdays and origin segments (trips are daily, so the hours "
           "filter does not apply). Share = corridor trips ÷ all trips between different zones.") if zones else
         _("Directed trips {start}–{end} for the chosen weekdays and origin segments (trips are daily, so the hours "
           "filter does not apply). Share = corridor trips ÷ all trips between different places.")).format(
            start=lang.day(filters.start), end=lang.day(filters.end))
    )


def _route_options() -> dict:
    """The itinerary's order, tour and day-plan choices (all in the URL)."""
    c = st.columns([2, 2, 2, 1, 1])
    order = c[0].radio(_("Order"), movement.ROUTE_ORDERS, key=state.seed(ORDER), format_func=lambda o: _(ORDER_LABELS[o]),
                       horizontal=True, help=_("Best order keeps the first place as the start and reorders the others "
                                               "(up to {n} places; exact up to {exact}, a heuristic above).").format(
                                                   n=vocab.MAX_TOUR_PLACES, exact=tours.EXACT_MAX))
    tour = c[1].radio(_("Tour"), ("open", "closed"), key=state.seed(TOUR), horizontal=True,
                      format_func={"open": _("Open"), "closed": _("Back to the start")}.get)
    day = c[2].selectbox(_("Day length"), [int(d) for d in DAY_CHOICES], key=state.seed(DAY),
                         format_func=lambda h: _("No day plan") if h == 0 else _("{n} hours").format(n=h),
                         help=_("Split the tour into days that respect the places' opening hours."))
    start = c[3].selectbox(_("Day starts"), [int(h) for h in START_CHOICES], key=state.seed(START),
                           format_func=lambda h: f"{h:02d}:00", disabled=day == 0)
    visit = c[4].selectbox(_("Minutes at each"), [int(v) for v in VISIT_CHOICES], key=state.seed(VISIT), disabled=day == 0)
    for param, value in ((ORDER, order), (TOUR, tour), (DAY, int(day)), (START, int(start)), (VISIT, int(visit))):
        state.store(param, value)
    return {"order": order, "closed": tour == "closed", "day_hours": float(day) if day else None,
            "start_hour": float(start), "visit_minutes": float(visit)}


def _network_note(network: roads.NetworkInfo | None) -> None:
    if network is None:
        st.info(_("Routes are **straight lines**: no road network is imported.") + " " + _(IMPORT_HINT))
        return
    dropped = (_("; {n} disconnected piece(s), {km} km, left out").format(
        n=f"{network.dropped_pieces:,}", km=f"{network.dropped_km:,.1f}") if network.dropped_pieces else "")
    st.caption(markdown_text(_(
        "Road network: {sources}, imported {at} UTC — {nodes} nodes, {edges} directed edges, {km} km of road"
        "{dropped}. Times are free-flow (speed limits or class defaults, no traffic).").format(
        sources=network.sources, at=f"{network.imported_at:%d %b %Y %H:%M}", nodes=f"{network.nodes:,}",
        edges=f"{network.edges:,}", km=f"{network.km:,.0f}", dropped=dropped)))


def _route(places: pd.DataFrame, zones_geojson: str, network: roads.NetworkInfo | None) -> dict:
    st.subheader(_("Route between places"))
    _network_note(network)
    chosen = flows_page.itinerary(places)
    options = _route_options()
    if options["order"] == "best" and len(chosen) > vocab.MAX_TOUR_PLACES:
        st.warning(_("The best order is found for up to {n} places; {chosen} are chosen, so they are visited as "
                     "chosen.").format(n=vocab.MAX_TOUR_PLACES, chosen=len(chosen)))
        options["order"] = "given"
    if len(chosen) < 2:
        st.caption(_("Pick at least two places to get distances and times."))
        return options
    route = state.call(movement.plan_route, tuple(chosen), speed_kmh=state.app_settings().route_speed_kmh, **options)
    c = st.columns(4)
    c[0].metric(_("Total distance"), _("{n} km").format(n=f"{route.distance_km:.2f}"))
    c[1].metric(_("Driving time"), _("{n} min").format(n=f"{route.minutes:.0f}"))
    c[2].metric(_("Legs"), f"{len(route.legs)}")
    c[3].metric(_("Order"), markdown_text(vocab.route_order_text(route.order)))
    straight = route.legs[~route.legs["on_roads"]]
    stop_names = dict(zip(route.stops["name_en"], names_of(route.stops), strict=False))
    if network is None:
        st.info(
            _("Distances are **{label}**: great-circle segments between the places, times at an assumed average "
              "{speed} km/h (setting ATLAS_ROUTE_SPEED_KMH). Real road distances are longer.").format(
                label=markdown_text(_(route.label)), speed=f"{route.speed_kmh:.0f}")
        )
    elif not straight.empty:
        st.warning(markdown_text(
            _("{n} leg(s) are straight lines at an assumed {speed} km/h, not on roads: ").format(
                n=len(straight), speed=f"{route.speed_kmh:.0f}")
            + "; ".join(sorted({vocab.route_text(n, stop_names) for n in straight["note"]}))))
    else:
        st.caption(markdown_text(_("Every leg is {label}; the table gives each place's distance to the road it "
                                   "joins (snap).").format(label=_(route.label))))
    left, right = st.columns([3, 2])
    with left:
        state.folium_map(flow_maps.route_map, route.legs, route.stops, route.label, zones_geojson, turns=route.turns,
                         key="route_map", height=480)
    with right:
        legs = route.legs.assign(
            from_name=[leg_end_name(r, "from") for r in route.legs.to_dict("records")],
            to_name=[leg_end_name(r, "to") for r in route.legs.to_dict("records")],
        )[["leg", "from_name", "to_name", "distance_km", "minutes", "on_roads", "snap_from_m", "snap_to_m"]]
        st.dataframe(
            legs, hide_index=True, width="stretch",
            column_config={
                "leg": st.column_config.NumberColumn(_("Leg"), format="%d"),
                "from_name": _("From"), "to_name": _("To"),
                "distance_km": st.column_config.NumberColumn(_("Distance (km)"), format="%.2f"),
                "minutes": st.column_config.NumberColumn(_("Time (min)"), format="%.0f"),
                "on_roads": st.column_config.CheckboxColumn(_("On roads")),
                "snap_from_m": st.column_config.NumberColumn(_("Snap from (m)"), format="%.0f"),
                "snap_to_m": st.column_config.NumberColumn(_("Snap to (m)"), format="%.0f"),
            },
        )
        if route.turns is not None and not route.turns.empty:
            with st.expander(_("Turn points ({n})").format(n=len(route.turns))):
                turns = route.turns.assign(instruction=[roads.turn_instruction(a, r) for a, r in
                                                        zip(route.turns["angle"], route.turns["road"], strict=True)])
                st.dataframe(turns[["leg", "instruction"]], hide_index=True, width="stretch",
                             column_config={"leg": st.column_config.NumberColumn(_("Leg"), format="%d"),
                                            "instruction": _("Turn")})
    if route.days is not None:
        days = int(route.days["day"].max())
        hours, start, visit = (int(options[k]) for k in ("day_hours", "start_hour", "visit_minutes"))
        st.markdown(ngettext("**Day plan**: {days} day of at most {hours} hours from {start}:00, {visit} min at each "
                             "place; opening hours respected where known.",
                             "**Day plan**: {days} days of at most {hours} hours from {start}:00, {visit} min at "
                             "each place; opening hours respected where known.", days).format(
            days=f"{days:d}", hours=f"{hours:d}", start=f"{start:02d}", visit=f"{visit:d}"))
        plan = with_name(route.days).assign(note=[vocab.route_text(n) for n in route.days["note"]])
        st.dataframe(plan[["step", "name", "day", "arrive", "start", "depart", "wait_min", "note"]], hide_index=True,
                     width="stretch",
                     column_config={"step": st.column_config.NumberColumn("#", format="%d"),
                                    "name": _("Place"), "day": st.column_config.NumberColumn(_("Day"), format="%d"),
                                    "arrive": _("Arrive"), "start": _("Visit from"), "depart": _("Leave"),
                                    "wait_min": st.column_config.NumberColumn(_("Wait (min)"), format="%.0f"),
                                    "note": _("Note")})
    return options


def _road_load(filters: Filters, level: str, zones_geojson: str) -> None:
    st.subheader(_("Road load"))
    try:
        loads = state.call(roads.road_loads, filters, level)
        totals = state.call(roads.road_load_totals, filters, level)
        streets = state.call(roads.top_streets, filters, level, 20)
    except DataNotBuiltError as exc:
        st.info(markdown_text(exc))
        return
    c = st.columns(3)
    c[0].metric(_("Trips routed on roads"), f"{totals.routed_trips:,}")
    c[1].metric(_("Share of corridor trips"), f"{totals.routed_share:.0%}")
    c[2].metric(_("Corridors routed"), _("{n} of {total}").format(n=f"{totals.routed_corridors:,}", total=f"{totals.corridors:,}"))
    left, right = st.columns([3, 2])
    with left:
        state.folium_map(flow_maps.road_load_map, loads, zones_geojson, level=level, key="road_load_map", height=520)
    with right:
        st.markdown(_("**Most loaded streets**"))
        st.dataframe(
            streets[["rank", "street", "highway", "peak_trips", "trip_km", "loaded_km"]], hide_index=True,
            width="stretch", height=480,
            column_config={
                "rank": st.column_config.NumberColumn("#", format="%d", width="small"),
                "street": st.column_config.TextColumn(_("Street"), width="medium"),
                "highway": _("Class"),
                "peak_trips": st.column_config.NumberColumn(_("Peak trips"), format="%d",
                                                            help=_("Trips on its busiest segment, both directions")),
                "trip_km": st.column_config.NumberColumn(_("Trip-km"), format="%.0f"),
                "loaded_km": st.column_config.NumberColumn(_("Loaded km"), format="%.1f"),
            },
        )
    st.caption(
        (_("Every zone → zone corridor's trips {start}–{end} (chosen weekdays and segments) follow its fastest path "
           "on the road network between the two zones' anchor points; the map adds them up per street, both "
           "directions. It shows which streets the corridors use, not counted traffic. Paths are routed once after "
           "each build or import (docs/roads.md).") if level == "zone" else
         _("Every place → place corridor's trips {start}–{end} (chosen weekdays and segments) follow its fastest "
           "path on the road network between the two places; the map adds them up per street, both directions. It "
           "shows which streets the corridors use, not counted traffic. Paths are routed once after each build or "
           "import (docs/roads.md).")).format(start=lang.day(filters.start), end=lang.day(filters.end))
    )


def render() -> None:
    """Corridors map and table for the filters, then the itinerary router."""
    st.title(_("Flows and routes"))
    filters = state.sidebar_filters(show_categories=False)
    places = state.call(geography.list_places)
    zones_geojson = state.call(geography.zones_geojson)
    st.subheader(_("Origin → destination corridors"))
    c = st.columns([1, 2])
    level = c[0].radio(_("Flows between"), vocab.FLOW_LEVELS, key=state.seed(LEVEL), horizontal=True,
                       format_func=lambda v: _(LEVEL_LABELS[v]))
    top_n = c[1].slider(_("Top corridors shown"), 5, movement.MAX_CORRIDORS, key=state.seed(TOP), step=5)
    state.store(LEVEL, level)
    state.store(TOP, int(top_n))
    _corridors(filters, level, top_n, zones_geojson)
    network = state.call(roads.network_info)
    if network is not None:
        _road_load(filters, level, zones_geojson)
    options = _route(places, zones_geojson, network)
    state.provenance_note()
    route_ids = tuple(st.session_state.get("fl_route") or ())
    route = (export.fetch(movement.plan_route, route_ids, speed_kmh=state.app_settings().route_speed_kmh, **options)
             if len(route_ids) >= 2 else None)
    streets = export.fetch(roads.top_streets, filters, level, 20) if network is not None else None
    export.section("flows", filters,
                   export.lines("corridors", export.fetch(movement.top_corridors, filters, level, top_n),
                                ("origin_lon", "origin_lat"), ("destination_lon", "destination_lat")),
                   export.flow_totals(export.fetch(movement.flow_totals, filters, level), level),
                   export.route("route_legs", None if route is None else route.legs,
                                None if route is None else route.stops),
                   export.points("route_stops", None if route is None else route.stops),
                   export.table("route_days", None if route is None else route.days, N_("Day plan")),
                   export.table("road_load_streets", streets, N_("Most loaded streets")),
                   fields=("dates", "weekdays", "segments"), extra={"level": level, "top": top_n})


state.guard(render)
