"""Build the pages' Altair charts from service DataFrames (seasonality, hour profiles, origins, place profile, beds).

Builders take DataFrames and plain values and return Altair charts; they never query and hold no state, so
``ui.state.altair_chart`` can cache the chart's Vega-Lite spec per builder and inputs.

Texts from data (festival, zone, origin names; a title naming a zone) travel as data values or plain title
strings, never as field names, expressions or format strings: Streamlit 1.67 draws the spec with
vega-embed's expression interpreter (``ast: true``, no ``eval``), Vega draws titles and labels as text, and
vega-tooltip HTML-escapes every tooltip value (``tests/test_hostile_maps.py`` checks the specs).

Every title, axis, legend and tooltip label is translated with ``_()`` into the current language
(``geo.i18n``); labels from the vocabulary (visitor types, weekdays, origins) are shown in it too. A chart in
Thai or Chinese carries a Vega ``config.locale`` (month and weekday names, separators from Babel) so Vega's
own date labels follow the language; Thai month axes count years in the Buddhist era
(``geo.i18n.THAI_BUDDHIST_ERA``) through a constant label expression.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import altair as alt
import pandas as pd

from geo.i18n import (
    BUDDHIST_ERA_OFFSET,
    N_,
    THAI_BUDDHIST_ERA,
    _,
    babel_locale,
    display_name,
    get_language,
    weekday_name,
)
from geo.vocab import GROUP_COLOURS, VISITOR_TYPE_COLOURS, VISITOR_TYPE_LABELS, translate_origin


def vega_locale(lang: str | None = None) -> dict:
    """A Vega ``config.locale`` for ``lang`` (d3 number and time locales built from Babel's CLDR data)."""
    from babel import dates, numbers

    loc = babel_locale(lang)
    order = [6, 0, 1, 2, 3, 4, 5]  # d3 lists weekdays from Sunday, Babel from Monday
    wide = dates.get_day_names("wide", "format", locale=loc)
    short = dates.get_day_names("abbreviated", "format", locale=loc)
    months = dates.get_month_names("wide", "format", locale=loc)
    short_months = dates.get_month_names("abbreviated", "format", locale=loc)
    periods = dates.get_period_names("abbreviated", locale=loc)
    return {
        "number": {"decimal": numbers.get_decimal_symbol(loc), "thousands": numbers.get_group_symbol(loc),
                   "grouping": [3], "currency": ["", ""]},
        "time": {"dateTime": "%x %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
                 "periods": [str(periods.get("am", "AM")), str(periods.get("pm", "PM"))],
                 "days": [str(wide[i]) for i in order], "shortDays": [str(short[i]) for i in order],
                 "months": [str(months[m]) for m in range(1, 13)],
                 "shortMonths": [str(short_months[m]) for m in range(1, 13)]},
    }


def _localized(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart`` with the current language's Vega locale (English charts are left as they were)."""
    lang = get_language()
    if lang == "en":
        return chart
    return chart.configure(locale=vega_locale(lang))


def _month_axis(fmt: str = "%b %Y", angle: int = -40) -> alt.Axis:
    """A month axis; in Thai with Buddhist-era years (``year + 543``: a constant expression, no data text)."""
    if get_language() == "th" and THAI_BUDDHIST_ERA:
        month = fmt.replace(" %Y", "")
        expr = f"timeFormat(datum.value, '{month}') + ' ' + (year(datum.value) + {BUDDHIST_ERA_OFFSET})"
        return alt.Axis(labelExpr=expr, labelAngle=angle)
    if get_language() == "zh":
        return alt.Axis(format="%Y年%-m月", labelAngle=angle)
    return alt.Axis(format=fmt, labelAngle=angle)


def visitor_type_label(visitor_type: str) -> str:
    """A visitor type's label in the current language (its code when the vocabulary does not know it)."""
    label = VISITOR_TYPE_LABELS.get(visitor_type)
    return _(label) if label else str(visitor_type)


def seasonality_chart(df: pd.DataFrame, festivals: pd.DataFrame, start: date, end: date) -> alt.LayerChart:
    """Monthly average people per day, stacked by visitor type, festivals as rules, the period as a band."""
    data = df.assign(kind=[visitor_type_label(t) for t in df["visitor_type"]],
                     month_start=pd.to_datetime(df["month_start"]))
    colour = alt.Color("kind:N", title=_("Visitor type"),
                       scale=alt.Scale(domain=[_(k) for k in VISITOR_TYPE_COLOURS],
                                       range=list(VISITOR_TYPE_COLOURS.values())))
    bars = alt.Chart(data).mark_bar(opacity=0.9).encode(
        x=alt.X("yearmonth(month_start):T", title=_("Month"), axis=_month_axis()),
        y=alt.Y("sum(avg_daily_visitors):Q", title=_("People per day (average)"), stack="zero"),
        color=colour,
        tooltip=[alt.Tooltip("yearmonth(month_start):T", title=_("Month"), format="%B %Y"),
                 alt.Tooltip("kind:N", title=_("Visitor type")),
                 alt.Tooltip("avg_daily_visitors:Q", title=_("People per day"), format=",.0f"),
                 alt.Tooltip("days_with_data:Q", title=_("Days with data"))],
    )
    band = alt.Chart(pd.DataFrame({"start": [pd.Timestamp(start)], "end": [pd.Timestamp(end)]})).mark_rect(
        color="#555", opacity=0.08).encode(x="start:T", x2="end:T")
    layers: list[alt.Chart] = [band, bars]
    if not festivals.empty and not data.empty:
        lo = data["month_start"].min()
        hi = data["month_start"].max() + pd.offsets.MonthBegin(1)
        fest = festivals[(festivals["end"] > lo) & (festivals["start"] < hi)]
        if not fest.empty:
            tooltip = [alt.Tooltip("name:N", title=_("Festival or holiday")),
                       alt.Tooltip("start:T", title=_("From"), format="%d %b %Y"),
                       alt.Tooltip("applies_to:N", title=_("Applies to"))]
            spans = alt.Chart(fest).mark_rect(color="#6a3d9a", opacity=0.35).encode(
                x="start:T", x2="end:T", tooltip=tooltip)
            rules = alt.Chart(fest).mark_rule(color="#6a3d9a", strokeDash=[4, 3], strokeWidth=1.5).encode(
                x="start:T", tooltip=tooltip)
            layers.extend([spans, rules])
    return _localized(alt.layer(*layers).properties(
        title=_("Seasonality: people per day by month (grey: selected period; purple: festivals and holidays)"),
        height=300,
    ))


def hour_weekday_chart(df: pd.DataFrame) -> alt.Chart:
    """Heatmap of people present by hour of day (x) and weekday (y)."""
    days = [weekday_name(d) for d in range(7)]
    data = df.assign(day=df["weekday"].map(lambda d: days[int(d)]))
    return _localized(alt.Chart(data).mark_rect().encode(
        x=alt.X("hour:O", title=_("Hour of day (local time)")),
        y=alt.Y("day:N", title=_("Weekday"), sort=days),
        color=alt.Color("present:Q", title=_("People present"), scale=alt.Scale(scheme="yelloworangered")),
        tooltip=[alt.Tooltip("day:N", title=_("Weekday")), alt.Tooltip("hour:O", title=_("Hour")),
                 alt.Tooltip("present:Q", title=_("People present (avg)"), format=",.0f")],
    ).properties(title=_("People present by hour and weekday (average day)"), height=260))


#: Legend labels of the segment groups (colour keys stay the codes).
GROUP_LABELS: dict[str, str] = {"domestic": N_("Domestic"), "international": N_("International"),
                                "resident": N_("Residents"), "other": N_("Other")}


def origin_chart(df: pd.DataFrame, measure: str | None = None) -> alt.Chart:
    """Horizontal bars of ``visitors`` per origin market, coloured by domestic/international/resident.

    ``measure`` names what ``visitors`` counts (axis, tooltip and title; translated text): people-days on the
    officials' pages (the default). Origins (English labels from the services) are shown in the current language.
    """
    measure = measure or _("People-days")
    data = df.assign(origin=[translate_origin(str(o)) for o in df["origin"]],
                     group=[_(GROUP_LABELS[g]) if g in GROUP_LABELS else str(g) for g in df["segment_group"]])
    return _localized(alt.Chart(data).mark_bar().encode(
        x=alt.X("visitors:Q", title=measure),
        y=alt.Y("origin:N", title=None, sort="-x"),
        color=alt.Color("group:N", title=_("Origin"),
                        scale=alt.Scale(domain=[_(GROUP_LABELS[g]) for g in GROUP_COLOURS],
                                        range=list(GROUP_COLOURS.values()))),
        tooltip=[alt.Tooltip("origin:N", title=_("Origin")), alt.Tooltip("visitors:Q", title=measure, format=","),
                 alt.Tooltip("share:Q", title=_("Share"), format=".1%")],
    ).properties(title=_("Origin markets ({measure})").format(measure=measure.lower()), height=300))


def hour_chart(df: pd.DataFrame, title: str, selected: tuple[int, int]) -> alt.Chart:
    """Bars of people present by hour of day; hours outside ``selected`` (from, to) are faded."""
    data = df.assign(selected=df["hour"].between(*selected))
    return _localized(alt.Chart(data).mark_bar().encode(
        x=alt.X("hour:O", title=_("Hour of day (local time)")),
        y=alt.Y("present:Q", title=_("People present (avg day)")),
        opacity=alt.condition("datum.selected", alt.value(1.0), alt.value(0.35)),
        tooltip=[alt.Tooltip("hour:O", title=_("Hour")),
                 alt.Tooltip("present:Q", title=_("People present"), format=",.1f")],
    ).properties(title=title, height=220))


def visits_bar_chart(
    df: pd.DataFrame, x: str, x_title: str, title: str, sort: Sequence[str] | None = None
) -> alt.Chart:
    """Bars of a place's visits per ``x`` (hour, month or weekday), in ``sort`` order when given.

    ``x_title`` and ``title`` are translated text (the caller's ``_()``); a ``day`` column of English short
    weekday names (``geo.services.placeinfo``) is shown in the current language.
    """
    if x == "day" and "day" in df.columns:
        english = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        names = dict(zip(english, (weekday_name(d) for d in range(7)), strict=True))
        df = df.assign(day=[names.get(str(d), str(d)) for d in df["day"]])
        sort = None if sort is None else [names.get(str(d), str(d)) for d in sort]
    return _localized(
        alt.Chart(df, title=title)
        .mark_bar(color="#b15928")
        .encode(
            x=alt.X(f"{x}:O", title=x_title, sort=None if sort is None else list(sort), axis=alt.Axis(labelAngle=0)),
            y=alt.Y("visits:Q", title=_("Visits")),
            tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip("visits:Q", title=_("Visits"), format=",")],
        )
        .properties(height=200)
    )


def supply_demand_chart(df: pd.DataFrame) -> alt.Chart:
    """Beds against overnight visitors per night, two bars per zone, zones by the taller bar."""
    named = df.assign(name_en=_zone_labels(df)) if "zone_id" in df.columns else df
    long = named.melt(
        id_vars=["name_en"], value_vars=["beds", "overnight_per_night"], var_name="measure", value_name="persons"
    )
    long["measure"] = long["measure"].map({"beds": _("Beds (supply)"),
                                           "overnight_per_night": _("Overnight visitors / night")})
    return _localized(
        alt.Chart(long, title=_("Beds against overnight visitors per night, by zone"))
        .mark_bar()
        .encode(
            x=alt.X("name_en:N", title=_("Zone"), sort="-y", axis=alt.Axis(labelAngle=-35, labelLimit=180)),
            xOffset="measure:N",
            y=alt.Y("persons:Q", title=_("Persons (beds or visitors per night)")),
            color=alt.Color("measure:N", title=None, scale=alt.Scale(range=["#1b9e77", "#d95f02"]),
                            legend=alt.Legend(orient="top")),
            tooltip=[alt.Tooltip("name_en:N", title=_("Zone")), alt.Tooltip("measure:N", title=_("Measure")),
                     alt.Tooltip("persons:Q", title=_("Persons"), format=",.0f")],
        )
        .properties(height=320)
    )


def _zone_labels(df: pd.DataFrame) -> pd.Series:
    """One axis label per zone: its name in the current language (``display_name``), with the zone id added
    where two zones share a name."""
    names = pd.Series([display_name(rec) or str(rec.get("zone_id")) for rec in df.to_dict("records")],
                      index=df.index, dtype=object)
    twice = names.duplicated(keep=False)
    return names.where(~twice, names + " (" + df["zone_id"].astype(str) + ")")


def zone_presence_chart(df: pd.DataFrame, title: str) -> alt.Chart:
    """Horizontal bars of people present per zone (a ``geo.services.presence`` level summary), busiest on top.

    ``df`` has zone_id, name_en, present, visitor_hours and share; ``title`` is plain text (it may name an
    imported level: Vega draws titles as text).
    """
    data = df.assign(zone=_zone_labels(df))[["zone", "present", "visitor_hours", "share"]]
    return _localized(alt.Chart(data).mark_bar(color="#1f78b4").encode(
        x=alt.X("present:Q", title=_("People present (avg per hour)")),
        y=alt.Y("zone:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
        tooltip=[alt.Tooltip("zone:N", title=_("Zone")),
                 alt.Tooltip("present:Q", title=_("People present (avg per hour)"), format=",.1f"),
                 alt.Tooltip("visitor_hours:Q", title=_("People-hours"), format=","),
                 alt.Tooltip("share:Q", title=_("Share"), format=".1%")],
    ).properties(title=title, height=max(120, 22 * len(data))))
