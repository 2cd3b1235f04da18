"""Build the pages' Altair charts from service DataFrames (seasonality, hour profiles, origins, place profile, beds).

Builders take DataFrames and plain values and return Altair charts; they never query and hold no state, so
``ui.state.altair_chart`` can cache the chart's Vega-Lite spec per builder and inputs.

Texts from data (festival, zone, origin names; a title naming a zone) travel as data values or plain title
strings, never as field names, expressions or format strings: Streamlit 1.67 draws the spec with
vega-embed's expression interpreter (``ast: true``, no ``eval``), Vega draws titles and labels as text, and
vega-tooltip HTML-escapes every tooltip value (``tests/test_hostile_maps.py`` checks the specs).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import altair as alt
import pandas as pd

from geo.i18n import _
from geo.vocab import GROUP_COLOURS, VISITOR_TYPE_COLOURS, VISITOR_TYPE_LABELS, WEEKDAY_NAMES


def seasonality_chart(df: pd.DataFrame, festivals: pd.DataFrame, start: date, end: date) -> alt.LayerChart:
    """Monthly average people per day, stacked by visitor type, festivals as rules, the period as a band."""
    data = df.assign(kind=df["visitor_type"].map(VISITOR_TYPE_LABELS).fillna(df["visitor_type"]),
                     month_start=pd.to_datetime(df["month_start"]))
    colour = alt.Color("kind:N", title="Visitor type",
                       scale=alt.Scale(domain=list(VISITOR_TYPE_COLOURS), range=list(VISITOR_TYPE_COLOURS.values())))
    bars = alt.Chart(data).mark_bar(opacity=0.9).encode(
        x=alt.X("yearmonth(month_start):T", title="Month", axis=alt.Axis(format="%b %Y", labelAngle=-40)),
        y=alt.Y("sum(avg_daily_visitors):Q", title="People per day (average)", stack="zero"),
        color=colour,
        tooltip=[alt.Tooltip("yearmonth(month_start):T", title="Month", format="%B %Y"),
                 alt.Tooltip("kind:N", title="Visitor type"),
                 alt.Tooltip("avg_daily_visitors:Q", title="People per day", format=",.0f"),
                 alt.Tooltip("days_with_data:Q", title="Days with data")],
    )
    band = alt.Chart(pd.DataFrame({"start": [pd.Timestamp(start)], "end": [pd.Timestamp(end)]})).mark_rect(
        color="#555", opacity=0.08).encode(x="start:T", x2="end:T")
    layers: list[alt.Chart] = [band, bars]
    if not festivals.empty and not data.empty:
        lo = data["month_start"].min()
        hi = data["month_start"].max() + pd.offsets.MonthBegin(1)
        fest = festivals[(festivals["end"] > lo) & (festivals["start"] < hi)]
        if not fest.empty:
            tooltip = [alt.Tooltip("name:N", title="Festival or holiday"),
                       alt.Tooltip("start:T", title="From", format="%d %b %Y"),
                       alt.Tooltip("applies_to:N", title="Applies to")]
            spans = alt.Chart(fest).mark_rect(color="#6a3d9a", opacity=0.35).encode(
                x="start:T", x2="end:T", tooltip=tooltip)
            rules = alt.Chart(fest).mark_rule(color="#6a3d9a", strokeDash=[4, 3], strokeWidth=1.5).encode(
                x="start:T", tooltip=tooltip)
            layers.extend([spans, rules])
    return alt.layer(*layers).properties(
        title="Seasonality: people per day by month (grey: selected period; purple: festivals and holidays)",
        height=300,
    )


def hour_weekday_chart(df: pd.DataFrame) -> alt.Chart:
    """Heatmap of people present by hour of day (x) and weekday (y)."""
    days = [_(d) for d in WEEKDAY_NAMES]
    data = df.assign(day=df["weekday"].map(lambda d: days[int(d)]))
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("hour:O", title=_("Hour of day (local time)")),
        y=alt.Y("day:N", title=_("Weekday"), sort=days),
        color=alt.Color("present:Q", title=_("People present"), scale=alt.Scale(scheme="yelloworangered")),
        tooltip=[alt.Tooltip("day:N", title=_("Weekday")), alt.Tooltip("hour:O", title=_("Hour")),
                 alt.Tooltip("present:Q", title=_("People present (avg)"), format=",.0f")],
    ).properties(title=_("People present by hour and weekday (average day)"), height=260)


def origin_chart(df: pd.DataFrame, measure: str = "People-days") -> alt.Chart:
    """Horizontal bars of ``visitors`` per origin market, coloured by domestic/international/resident.

    ``measure`` names what ``visitors`` counts (axis, tooltip and title): people-days on the officials' pages.
    """
    return alt.Chart(df).mark_bar().encode(
        x=alt.X("visitors:Q", title=measure),
        y=alt.Y("origin:N", title=None, sort="-x"),
        color=alt.Color("segment_group:N", title="Origin",
                        scale=alt.Scale(domain=list(GROUP_COLOURS), range=list(GROUP_COLOURS.values()))),
        tooltip=[alt.Tooltip("origin:N", title="Origin"), alt.Tooltip("visitors:Q", title=measure, format=","),
                 alt.Tooltip("share:Q", title="Share", format=".1%")],
    ).properties(title=f"Origin markets ({measure.lower()})", height=300)


def hour_chart(df: pd.DataFrame, title: str, selected: tuple[int, int]) -> alt.Chart:
    """Bars of people present by hour of day; hours outside ``selected`` (from, to) are faded."""
    data = df.assign(selected=df["hour"].between(*selected))
    return alt.Chart(data).mark_bar().encode(
        x=alt.X("hour:O", title="Hour of day (local time)"),
        y=alt.Y("present:Q", title="People present (avg day)"),
        opacity=alt.condition("datum.selected", alt.value(1.0), alt.value(0.35)),
        tooltip=[alt.Tooltip("hour:O", title="Hour"), alt.Tooltip("present:Q", title="People present", format=",.1f")],
    ).properties(title=title, height=220)


def visits_bar_chart(
    df: pd.DataFrame, x: str, x_title: str, title: str, sort: Sequence[str] | None = None
) -> alt.Chart:
    """Bars of a place's visits per ``x`` (hour, month or weekday), in ``sort`` order when given."""
    return (
        alt.Chart(df, title=title)
        .mark_bar(color="#b15928")
        .encode(
            x=alt.X(f"{x}:O", title=x_title, sort=None if sort is None else list(sort), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("visits:Q", title="Visits"),
            tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip("visits:Q", title="Visits", format=",")],
        )
        .properties(height=200)
    )


def supply_demand_chart(df: pd.DataFrame) -> alt.Chart:
    """Beds against overnight visitors per night, two bars per zone, zones by the taller bar."""
    named = df.assign(name_en=_zone_labels(df)) if "zone_id" in df.columns else df
    long = named.melt(
        id_vars=["name_en"], value_vars=["beds", "overnight_per_night"], var_name="measure", value_name="persons"
    )
    long["measure"] = long["measure"].map({"beds": "Beds (supply)", "overnight_per_night": "Overnight visitors / night"})
    return (
        alt.Chart(long, title="Beds against overnight visitors per night, by zone")
        .mark_bar()
        .encode(
            x=alt.X("name_en:N", title="Zone", sort="-y", axis=alt.Axis(labelAngle=-35, labelLimit=180)),
            xOffset="measure:N",
            y=alt.Y("persons:Q", title="Persons (beds or visitors per night)"),
            color=alt.Color("measure:N", title=None, scale=alt.Scale(range=["#1b9e77", "#d95f02"]),
                            legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("name_en:N", title="Zone"), alt.Tooltip("measure:N", title="Measure"),
                     alt.Tooltip("persons:Q", title="Persons", format=",.0f")],
        )
        .properties(height=320)
    )


def _zone_labels(df: pd.DataFrame) -> pd.Series:
    """One axis label per zone: its English name, with the zone id added where two zones share a name."""
    names = df["name_en"].fillna(df["zone_id"]).astype(str)
    twice = names.duplicated(keep=False)
    return names.where(~twice, names + " (" + df["zone_id"].astype(str) + ")")


def zone_presence_chart(df: pd.DataFrame, title: str) -> alt.Chart:
    """Horizontal bars of people present per zone (a ``geo.services.presence`` level summary), busiest on top.

    ``df`` has zone_id, name_en, present, visitor_hours and share; ``title`` is plain text (it may name an
    imported level: Vega draws titles as text).
    """
    data = df.assign(zone=_zone_labels(df))[["zone", "present", "visitor_hours", "share"]]
    return alt.Chart(data).mark_bar(color="#1f78b4").encode(
        x=alt.X("present:Q", title="People present (avg per hour)"),
        y=alt.Y("zone:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
        tooltip=[alt.Tooltip("zone:N", title="Zone"),
                 alt.Tooltip("present:Q", title="People present (avg per hour)", format=",.1f"),
                 alt.Tooltip("visitor_hours:Q", title="People-hours", format=","),
                 alt.Tooltip("share:Q", title="Share", format=".1%")],
    ).properties(title=title, height=max(120, 22 * len(data)))
