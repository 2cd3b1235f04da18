"""Events and forecast: an event's days against a baseline (uplift per zone and cell, origin mix, overnight share,
busiest hours), adding an event to the calendar, and the 12-week forecast with its backtest error.

Officials only: the published file holds months, and an event's days against its baseline days is exactly the
day-level difference the month grain of the public view is there to prevent (docs/events.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from geo.errors import DataNotBuiltError, EventError
from geo.i18n import N_, _
from geo.ingest.events import add_event, remove_event
from geo.render import event_charts, event_maps
from geo.services import catalog, events, forecast, geography
from geo.services.filters import default_filters
from geo.services.measure import MEASURE_LABELS, is_estimate
from geo.text import markdown_text
from ui import export, state, url
from ui.names import names_of, segment_words, with_name

ADDED_KEY = "events_added"


def _fmt_pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1%}"


def _fmt_share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _fmt_hours(hours: tuple[int, ...]) -> str:
    return ", ".join(f"{h:02d}:00" for h in hours) or "—"


def _measure_label(measure: str) -> str:
    label = _(MEASURE_LABELS.get(measure, measure))
    return _("{label} (estimate)").format(label=label) if is_estimate(measure) else label


def _event_label(rec: dict) -> str:
    days = f"{pd.Timestamp(rec['start_day']):%d %b %Y}"
    if rec["end_day"] != rec["start_day"]:
        days += f" – {pd.Timestamp(rec['end_day']):%d %b %Y}"
    mark = "" if rec["days_with_data"] else _(" (no data)")
    return f"{rec['name']} · {days}{mark}"


def _impact(impact: events.EventImpact, zones_geojson: str, simulated: bool,
            zone_names: dict[str, str] | None = None) -> None:
    """Headline, uplift per zone, change map, origin mix and overnight share, hours."""
    w = impact.window
    measure = _measure_label(impact.measure)
    c = st.columns(4)
    c[0].metric(_("Visitors per day, event days"), f"{impact.visitors_event:,.1f}", _fmt_pct(impact.uplift),
                help=_("Visitors (people who are not residents) per day, city-wide, in {m}; the change is "
                       "against the baseline days.").format(m=markdown_text(measure)))
    c[1].metric(_("Visitors per day, baseline"), f"{impact.visitors_baseline:,.1f}")
    on_e, on_b = impact.overnight_share_event, impact.overnight_share_baseline
    c[2].metric(_("Overnight share"), _fmt_share(on_e),
                None if on_e is None or on_b is None else _("{pp:+.1f} pp vs baseline").format(pp=float((on_e - on_b) * 100)),
                delta_color="off", help=_("Overnight visitors ÷ visitors (people-days)."))
    c[3].metric(_("Busiest hours (event days)"),
                _fmt_hours(impact.busiest_hours),
                help=_("Hours of day with the most people present on an average event day, in the event's zones."))
    st.caption(markdown_text(_(
        "{n_e} event day(s) with data against {n_b} baseline day(s): the same weekdays 1 to {weeks} weeks before "
        "and after, without days of any event of the calendar. Measure: {m}.{sim}").format(
        n_e=len(w.event_days), n_b=len(w.baseline_days), weeks=events.BASELINE_WEEKS, m=measure,
        sim=_(" Simulated flows: the effects are the simulator's (data/README.md), not observations.") if simulated
        else "")))
    st.subheader(_("Uplift per zone"))
    state.altair_chart(event_charts.uplift_chart, impact.zones,
                       _("Visitors per day against the baseline, by zone ({m})").format(m=measure))
    st.dataframe(
        with_name(impact.zones)[["name", "in_event", "event_mean", "baseline_mean", "change", "uplift"]],
        hide_index=True, width="stretch",
        column_config={
            "name": _("Zone"), "in_event": st.column_config.CheckboxColumn(_("Event held here")),
            "event_mean": st.column_config.NumberColumn(_("Event, per day"), format="%.1f"),
            "baseline_mean": st.column_config.NumberColumn(_("Baseline, per day"), format="%.1f"),
            "change": st.column_config.NumberColumn(_("Change"), format="%+.1f"),
            "uplift": st.column_config.NumberColumn(_("Uplift"), format="percent"),
        },
    )
    st.subheader(_("Change per H3 cell"))
    cell_measure = _measure_label(impact.measures["cells"])
    state.folium_map(event_maps.change_map, impact.cells, zones_geojson,
                     title=_("Change in people-hours per day, event against baseline"),
                     unit=_("people-hours per day"),
                     note=_("Simulated flows") if simulated else "",
                     key="events_change_map", height=520)
    st.caption(markdown_text(_("People-hours of visitors per day ({m}) on the event's days minus the baseline days; "
                               "red more, blue fewer; the scale is symmetric around no change.").format(m=cell_measure)))
    left, right = st.columns(2)
    with left:
        st.subheader(_("Origin mix"))
        state.altair_chart(event_charts.origin_shift_chart, impact.origins,
                           _("Share of people-days by origin: event against baseline"))
        groups = impact.groups.assign(segment_group=segment_words(impact.groups["segment_group"]))
        st.dataframe(groups, hide_index=True, width="stretch", column_config={
            "segment_group": _("Segment group"),
            "event_share": st.column_config.NumberColumn(_("Event share"), format="percent"),
            "baseline_share": st.column_config.NumberColumn(_("Baseline share"), format="percent"),
            "shift": st.column_config.NumberColumn(_("Shift (pp)"), format="%+.1f"),
        })
    with right:
        st.subheader(_("Hours of day"))
        where = ", ".join((zone_names or {}).get(z, z) for z in w.zones) if w.zones else _("every zone")
        state.altair_chart(event_charts.event_hours_chart, impact.hours,
                           _("People present by hour: event against baseline ({where})").format(where=where))


def _add_form(zone_ids: list[str], zone_names: dict[str, str], official: pd.DataFrame) -> None:
    """The officials' form adding an event to the calendar, and removing one they added."""
    with st.expander(_("Add an event to the calendar"), icon=":material/event:"):
        with st.form("events_add_form", clear_on_submit=False):
            name = st.text_input(_("Name"), max_chars=120, key="events_add_name")
            c = st.columns(2)
            start = c[0].date_input(_("First day"), value=None, key="events_add_start")
            end = c[1].date_input(_("Last day"), value=None, key="events_add_end")
            zones = st.multiselect(_("Zones (none: city-wide)"), zone_ids, format_func=lambda z: zone_names.get(z, z),
                                   key="events_add_zones")
            note = st.text_input(_("Note"), max_chars=500, key="events_add_note")
            submitted = st.form_submit_button(_("Add event"))
        if submitted:
            if not isinstance(start, date) or not isinstance(end, date):
                st.error(_("Choose the first and the last day."))
            else:
                state.release_connections()  # the write needs the file: close this process's read-only connections
                try:
                    event = add_event(name, start, end, zones, note=note, db_path=state.app_settings().db_path,
                                      settings=state.app_settings())
                except EventError as exc:
                    st.error(markdown_text(exc))
                else:
                    st.session_state[ADDED_KEY] = event.event_id
                    st.rerun()
        if not official.empty:
            st.caption(_("Events added by officials (calendar festivals come from data/seed/calendar.csv)."))
            c = st.columns([3, 1])
            gone = c[0].selectbox(_("Remove an event"), list(official["event_id"]), key="events_remove_id",
                                  format_func=lambda e: str(official.set_index("event_id").loc[e, "name"]))
            if c[1].button(_("Remove"), key="events_remove"):
                state.release_connections()
                try:
                    remove_event(gone, db_path=state.app_settings().db_path, settings=state.app_settings())
                except EventError as exc:
                    st.error(markdown_text(exc))
                else:
                    st.rerun()


def _forecast(zone_names: dict[str, str]) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The forecast section: one zone's weekly chart with intervals, every zone's backtest error."""
    st.header(_("Forecast: the next 12 weeks"))
    try:
        weekly = state.call(forecast.weekly_forecast)
        errors = state.call(forecast.backtest_errors)
        about = state.call(forecast.forecast_about)
    except DataNotBuiltError as exc:
        st.info(markdown_text(exc))
        return None, None
    if weekly.empty:
        st.info(_("The data are too short for a forecast (at least 8 complete weeks are needed)."))
        return weekly, errors
    options = ["all", *sorted(z for z in weekly["zone_id"].unique() if z != "all")]
    names = {"all": _("Whole city"), **zone_names}
    zone = st.selectbox(_("Zone"), options, format_func=lambda z: names.get(z, z), key=state.seed(FC_ZONE))
    state.store(FC_ZONE, zone)
    label = forecast.about_label(about)
    if about.get("simulated"):
        st.warning(markdown_text(_("{label}: a forecast of the simulated sample, not of real visitors.").format(
            label=label)), icon="⚠️")
    state.altair_chart(event_charts.forecast_chart, weekly[weekly["zone_id"] == zone],
                       _("{label}: visitors per day, week by week, {zone}").format(label=label,
                                                                                    zone=names.get(zone, zone)))
    row = errors[errors["zone_id"] == zone]
    c = st.columns(3)
    if not row.empty:
        r = row.iloc[0]
        c[0].metric(_("Backtest error (MAPE)"), "—" if r["mape"] is None else f"{r['mape']:.1%}",
                    help=_("Trained on all but the last {n} weeks, then compared with them: mean absolute "
                           "percentage error of the weekly values.").format(n=int(r["weeks"])))
        c[1].metric(_("Backtest error (MAE, per day)"), f"{r['mae']:,.1f}")
        c[2].metric(_("Weeks inside the interval"), f"{r['coverage']:.0%}")
    else:
        c[0].metric(_("Backtest error (MAPE)"), "—", help=_("Too few weeks for a backtest."))
    st.caption(markdown_text(_("Method: {method}. Interval: {p:.0%}. Fitted {built} UTC at build time. With one "
                               "year of data the model has no yearly season: it carries the recent level and "
                               "trend forward and does not know the coming high or low season.").format(
        method=about.get("method", ""), p=float(about.get("interval", 0.8)), built=about.get("built_at", ""))))
    st.dataframe(errors.assign(zone=[names.get(z, z) for z in errors["zone_id"]])[
        ["zone", "weeks", "mape", "mae", "coverage"]], hide_index=True, width="stretch", column_config={
        "zone": _("Zone"), "weeks": _("Weeks held out"),
        "mape": st.column_config.NumberColumn(_("MAPE"), format="percent"),
        "mae": st.column_config.NumberColumn(_("MAE (per day)"), format="%.1f"),
        "coverage": st.column_config.NumberColumn(_("In interval"), format="percent")})
    return weekly, errors


def _event_ids() -> tuple[str, ...]:
    return tuple(state.call(events.list_events)["event_id"])


EVENT = url.PageParam("event", "events_event", "", _event_ids, why=N_("not an event of the calendar"))
FC_ZONE = url.PageParam("fczone", "events_fc_zone", "all", why=N_("not a zone of the forecast"))


def render() -> None:
    """Event picker, impact sections, the add-event form, the forecast, exports."""
    st.title(_("Events and forecast"))
    try:
        calendar = state.call(events.list_events)
    except DataNotBuiltError as exc:  # a database built without flows: the calendar is there, no days to compare
        st.info(markdown_text(exc))
        calendar = events.list_events_empty()
    zones = state.call(geography.list_zones)
    zone_names = dict(zip(zones["zone_id"], names_of(zones), strict=True))
    simulated = state.call(catalog.is_simulated)
    added = st.session_state.pop(ADDED_KEY, None)
    if added:
        st.success(markdown_text(_("Added {id} to the calendar.").format(id=added)))
        st.session_state[EVENT.widget_key] = added
    impact = None
    with_data = calendar[calendar["days_with_data"] > 0]
    if calendar.empty:
        st.info(_("The calendar is empty: rebuild the database (`make build`) or add an event below."))
    else:
        ids = list(calendar["event_id"])
        labels = {r["event_id"]: _event_label(r) for r in calendar.to_dict("records")}
        default = with_data["event_id"].iloc[0] if not with_data.empty else ids[0]
        key = state.seed(EVENT)
        if st.session_state.get(key) not in ids:
            st.session_state[key] = default
        chosen = st.selectbox(_("Event"), ids, format_func=lambda e: labels.get(e, e), key=key)
        state.store(EVENT, chosen)
        try:
            impact = state.call(events.event_impact, chosen)
        except (EventError, DataNotBuiltError) as exc:
            st.info(markdown_text(exc))
        if impact is not None:
            _impact(impact, state.call(geography.zones_geojson), simulated, zone_names)
    official = calendar[calendar["source"] == "official"]
    _add_form(list(zones["zone_id"]), zone_names, official)
    weekly, errors = _forecast(zone_names)
    state.provenance_note()
    tables = [export.table("calendar", calendar.assign(zones=[",".join(z) for z in calendar["zones"]]))]
    extra: dict[str, object] = {}
    if impact is not None:
        extra["event"] = impact.window.event_id
        tables += [export.zones("uplift_by_zone", state.call(geography.zones_geojson), impact.zones),
                   export.cells("change_by_cell", impact.cells), export.table("origin_mix", impact.origins),
                   export.table("segment_groups", impact.groups), export.table("hours", impact.hours)]
    if weekly is not None:
        tables += [export.table("forecast_weekly", weekly), export.table("forecast_backtest", errors)]
    export.section("events", None, *tables, fields=(), extra=extra, **_report_of(impact))


def _report_of(impact: events.EventImpact | None) -> dict[str, object]:
    """The report pack of the chosen event: its days as the period (compared with as many days before it), its
    impact in the events section. Without an impact, the pack of the session's last filters."""
    if impact is None:
        return {}
    w = impact.window
    first, last = state.call(catalog.date_bounds)
    period = replace(default_filters(first, last), start=max(w.start_day, first), end=min(w.end_day, last))
    return {"report_filters": period, "report_events": (w.event_id,)}


state.guard(render)
