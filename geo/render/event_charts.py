"""Altair charts of the Events page: uplift per zone, hour profile event vs baseline, origin shift, forecast.

Builders take service DataFrames and plain values and return charts; they never query (see
``geo.render.charts`` for how texts from data travel: as data values or plain titles only).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from geo.i18n import _
from geo.vocab import translate_origin

EVENT_COLOUR = "#b2182b"
BASELINE_COLOUR = "#4d4d4d"


def uplift_chart(zones: pd.DataFrame, title: str) -> alt.Chart:
    """Bars of the uplift per zone (event ÷ baseline − 1), red up, blue down; zones without baseline left out."""
    data = zones[zones["uplift"].notna()].assign(
        uplift=lambda d: d["uplift"].astype(float),
        direction=lambda d: [_("more") if u >= 0 else _("fewer") for u in d["uplift"]],
        zone=lambda d: d["name_en"].astype(str))
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y("zone:N", title=None, sort="-x", axis=alt.Axis(labelLimit=260)),
        x=alt.X("uplift:Q", title=_("Uplift against the baseline"), axis=alt.Axis(format="+%")),
        color=alt.Color("direction:N", legend=None,
                        scale=alt.Scale(domain=[_("more"), _("fewer")], range=[EVENT_COLOUR, "#2166ac"])),
        tooltip=[alt.Tooltip("zone:N", title=_("Zone")),
                 alt.Tooltip("event_mean:Q", title=_("Event, per day"), format=",.1f"),
                 alt.Tooltip("baseline_mean:Q", title=_("Baseline, per day"), format=",.1f"),
                 alt.Tooltip("uplift:Q", title=_("Uplift"), format="+.1%")],
    ).properties(title=title, height=alt.Step(22))


def event_hours_chart(hours: pd.DataFrame, title: str) -> alt.Chart:
    """People present per hour of day: the event's days against the baseline days (two lines)."""
    long = pd.concat([
        pd.DataFrame({"hour": hours["hour"], "present": hours["event_mean"], "period": _("Event days")}),
        pd.DataFrame({"hour": hours["hour"], "present": hours["baseline_mean"], "period": _("Baseline days")}),
    ], ignore_index=True)
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("hour:O", title=_("Hour of day")),
        y=alt.Y("present:Q", title=_("People present (average)")),
        color=alt.Color("period:N", title=None, scale=alt.Scale(domain=[_("Event days"), _("Baseline days")],
                                                                range=[EVENT_COLOUR, BASELINE_COLOUR])),
        tooltip=[alt.Tooltip("hour:O", title=_("Hour")), alt.Tooltip("period:N", title=_("Period")),
                 alt.Tooltip("present:Q", title=_("People present"), format=",.1f")],
    ).properties(title=title, height=260)


def origin_shift_chart(origins: pd.DataFrame, title: str, top: int = 12) -> alt.Chart:
    """Shares of people-days by origin on the event's days and on the baseline days (grouped bars)."""
    head = origins.head(top)
    head = head.assign(origin=[translate_origin(str(o)) for o in head["origin"]])  # services return English
    long = pd.concat([
        pd.DataFrame({"origin": head["origin"], "share": head["event_share"], "period": _("Event days")}),
        pd.DataFrame({"origin": head["origin"], "share": head["baseline_share"], "period": _("Baseline days")}),
    ], ignore_index=True)
    return alt.Chart(long).mark_bar().encode(
        y=alt.Y("origin:N", title=None, sort=list(head["origin"])),
        x=alt.X("share:Q", title=_("Share of people-days"), axis=alt.Axis(format="%")),
        yOffset="period:N",
        color=alt.Color("period:N", title=None, scale=alt.Scale(domain=[_("Event days"), _("Baseline days")],
                                                                range=[EVENT_COLOUR, BASELINE_COLOUR])),
        tooltip=[alt.Tooltip("origin:N", title=_("Origin")), alt.Tooltip("period:N", title=_("Period")),
                 alt.Tooltip("share:Q", title=_("Share"), format=".1%")],
    ).properties(title=title, height=max(160, 34 * len(head)))


def forecast_chart(weeks: pd.DataFrame, title: str) -> alt.LayerChart:
    """One zone's weekly visitors: observed weeks, the backtest (held-out weeks forecast from the weeks before
    them) and the forecast, each forecast with its prediction interval as a band."""
    data = weeks.assign(week_start=pd.to_datetime(weeks["week_start"]))
    names = {"history": _("Observed"), "backtest": _("Backtest forecast"), "forecast": _("Forecast")}
    data["series"] = data["kind"].map(names)
    colours = alt.Scale(domain=list(names.values()), range=["#4d4d4d", "#e08214", "#b2182b"])
    base = alt.Chart(data)
    band = base.transform_filter(alt.datum.kind != "history").mark_area(opacity=0.18).encode(
        x="week_start:T", y="lower:Q", y2="upper:Q", color=alt.Color("series:N", scale=colours, title=None))
    lines = base.mark_line(point=True).encode(
        x=alt.X("week_start:T", title=_("Week starting")),
        y=alt.Y("visitors:Q", title=_("Visitors per day (weekly mean)")),
        color=alt.Color("series:N", scale=colours, title=None),
        tooltip=[alt.Tooltip("week_start:T", title=_("Week starting"), format="%d %b %Y"),
                 alt.Tooltip("series:N", title=_("Series")),
                 alt.Tooltip("visitors:Q", title=_("Visitors per day"), format=",.1f"),
                 alt.Tooltip("lower:Q", title=_("Interval from"), format=",.1f"),
                 alt.Tooltip("upper:Q", title=_("Interval to"), format=",.1f"),
                 alt.Tooltip("actual:Q", title=_("Observed (backtest weeks)"), format=",.1f")],
    )
    return alt.layer(band, lines).properties(title=title, height=300)
