"""Answer the public pages from a published file (``python -m geo publish``): sums of published rows only.

A published file holds places, the tourism zones, H3 cells and one table of floored aggregates per measure
(``pub_presence``, ``pub_zone_days``, ``pub_origins``, ``pub_corridors``, ``pub_place_visits``, with the
``pub_calendar`` of days with data; docs/privacy.md). Every function here reads ``queries/app/public_*.sql``
and returns sums of published rows, never anything else, so a figure on a public page, and the difference of
any two, is itself a sum of rows of at least the privacy floor of people. Nothing needs a floor argument:
the file was floored when it was published, and public mode refuses a file published with a lower floor.

The filters are the shared ``Filters`` with month-aligned dates: the public sidebar offers a month range
(``month_range`` reads it back as the first days of the first and last month). Weekdays, hours and segment
groups select published rows where a table has them: presence (weekday, hour, segment group), person-days
(segment group); corridors and place visits are published per month only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from numbers import Integral
from typing import Any

import duckdb
import pandas as pd

from geo import sql
from geo.errors import DataNotBuiltError, FilterError
from geo.i18n import N_, _, format_month
from geo.services import area as area_service
from geo.services.calibration import Calibration, CalibrationMonth
from geo.services.capacity import with_pressure_classes
from geo.services.filters import Filters
from geo.services.movement import FlowTotals
from geo.services.presence import (
    CellDetail,
    Kpis,
    PeriodKpis,
    cell_at,
    change_between,
    detail_from_hours,
    period_from_row,
)
from geo.settings import H3_RESOLUTION
from geo.vocab import origin_label

#: How the public pages word their measures (captions).
VISITORS_DEFINITION = N_(
    "Visitors = person-days: each person counts once per day they stayed anywhere in the province, in the "
    "tourism zone where they spent most of that day, summed over the days of the months chosen."
)
PRESENT_DEFINITION = N_(
    "People present = unique people per H3 cell and hour, summed over cells and averaged over the days with "
    "data: how many people are there at that hour on an average day."
)
PUBLISHED_NOTE = N_(
    "Published figures: every row behind them has at least the privacy floor of distinct people, smaller units "
    "are withheld or merged (docs/privacy.md), so totals can read slightly lower than the whole."
)
#: Name of the rows of figures outside every tourism zone.
OUTSIDE_LABEL = N_("Outside every tourism zone")


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    if not 12 <= index < 12 * 10_000:
        msg = _("The month range reaches outside the calendar (years 1 to 9999).")
        raise FilterError(msg)
    return date(index // 12, index % 12 + 1, 1)


def month_range(filters: Filters) -> tuple[date, date]:
    """First days of the first and last month the filters' dates cover (the public view's month range)."""
    return _month_start(filters.start), _month_start(filters.end)


def months(con: duckdb.DuckDBPyConnection) -> tuple[date, ...]:
    """First days of the months with presence data in the published file, in order (empty without data)."""
    df = sql.fetch_df(con, "app/public_months")
    return tuple(pd.Timestamp(m).date() for m in df["month_start"])


def _range_params(filters: Filters) -> dict[str, Any]:
    first, last = month_range(filters)
    return {"first_month": first, "last_month": last}


def _selection(filters: Filters, hour: int | None = None) -> dict[str, Any]:
    if hour is not None and not 0 <= hour <= 23:
        msg = _("Hour of day must be 0..23, got {hour}.").format(hour=hour)
        raise FilterError(msg)
    lo, hi = (hour, hour) if hour is not None else filters.hours
    # every value is bound as a query parameter: out-of-range integers would fail in DuckDB, not with a message
    if not (all(isinstance(h, Integral) and 0 <= h <= 23 for h in (lo, hi)) and lo <= hi):
        msg = _("Hours of day run from ≤ to within 0..23, got {hours}.").format(hours=f"{lo!r}..{hi!r}"[:100])
        raise FilterError(msg)
    if not all(isinstance(d, Integral) and 0 <= d <= 6 for d in filters.weekdays):
        msg = _("Weekdays are 0 (Mon) to 6 (Sun), got {weekdays}.").format(weekdays=f"{filters.weekdays!r}"[:100])
        raise FilterError(msg)
    return {**_range_params(filters), "weekdays": list(filters.weekdays), "hour_from": int(lo), "hour_to": int(hi),
            "segments": list(filters.segments)}


def _number(value: Any) -> float:
    return 0.0 if value is None or pd.isna(value) else float(value)


def _period(con: duckdb.DuckDBPyConnection, first: date, last: date, segments: tuple[str, ...]) -> PeriodKpis:
    row = sql.fetch_one(con, "app/public_kpis",
                        {"first_month": first, "last_month": last, "segments": list(segments)}) or {}
    return period_from_row(row, (_add_months(last, 1) - first).days)


def kpi_note(k: Kpis) -> str:
    """``k.note`` of ``kpis`` (months) in the current language, months in its own form (the record stays
    language-neutral: it is cached across readers)."""
    if not k.note:
        return ""
    months = f"{format_month(k.previous_start)} – {format_month(k.previous_end)}"
    if k.previous is None:
        return _("No data for the previous months ({months}): changes are not shown.").format(months=months)
    return _("The previous months ({months}) have data on {days} of {expected} days: compare with care.").format(
        months=months, days=k.previous.days_with_data, expected=k.previous.days_expected)


def kpis(con: duckdb.DuckDBPyConnection, filters: Filters) -> Kpis:
    """Overview KPIs for the month range and segment groups, and the change against the same number of months
    just before (``presence.Kpis``; person-days are published per month, so weekdays and hours do not apply)."""
    first, last = month_range(filters)
    n = (last.year - first.year) * 12 + last.month - first.month + 1
    current = _period(con, first, last, filters.segments)
    try:
        prev_first, prev_last = _add_months(first, -n), _add_months(first, -1)
    except FilterError:  # the range starts in year 1: there is no previous period (found by Hypothesis)
        prev_first = prev_last = first
        previous: PeriodKpis | None = None
    else:
        previous = _period(con, prev_first, prev_last, filters.segments)
    note = ""
    if previous is None or previous.days_with_data == 0:
        previous = None
        note = f"No data for the previous months ({prev_first:%b %Y} – {prev_last:%b %Y}): changes are not shown."
    elif previous.days_with_data < previous.days_expected:
        note = (f"The previous months ({prev_first:%b %Y} – {prev_last:%b %Y}) have data on "
                f"{previous.days_with_data} of {previous.days_expected} days: compare with care.")
    change = change_between(current, previous)
    last_day = _add_months(prev_last, 1).replace(day=1)
    return Kpis(current=current, previous=previous, change=change, note=note, previous_start=prev_first,
                previous_end=date.fromordinal(last_day.toordinal() - 1))


def seasonality(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Person-days per day by month and visitor type over every published month (segment groups applied).

    Columns: month_start, visitor_type, visitors (person-days), days_with_data, avg_daily_visitors.
    """
    return sql.fetch_df(con, "app/public_seasonality", {"segments": list(filters.segments)})


def hour_weekday(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """People present by weekday (0 = Monday) and hour for the month range, weekdays, hours and segment groups.

    Columns: weekday, hour, visitor_hours, present (average day of that weekday).
    """
    return sql.fetch_df(con, "app/public_hour_weekday", _selection(filters))


def origin_mix(con: duckdb.DuckDBPyConnection, filters: Filters, top: int = 12) -> pd.DataFrame:
    """People by origin market in the month range (each person once per month), the ``top`` largest published
    markets and the rest summed as "Other markets" (the published "other" rows and the markets beyond ``top``).

    Columns: origin (readable), segment_group, visitors (people, summed over months), share (0..1).
    """
    df = sql.fetch_df(con, "app/public_origins", {**_range_params(filters), "segments": list(filters.segments)})
    columns = ["origin", "segment_group", "visitors", "share"]
    if df.empty:
        return pd.DataFrame({c: pd.Series(dtype="int64" if c == "visitors" else float if c == "share" else object)
                             for c in columns})
    total = float(df["people"].sum())
    named = df[~df["origin"].str.endswith(":other")]
    head = named.head(top)
    rest = df[~df.index.isin(head.index)]
    rows = [{"origin": origin_label(r["origin"], "en"), "segment_group": r["segment_group"], "visitors": int(r["people"])}
            for r in head.to_dict("records")]
    if not rest.empty:
        rows.append({"origin": "Other markets", "segment_group": "other", "visitors": int(rest["people"].sum())})
    out = pd.DataFrame(rows, columns=columns[:3])
    out["share"] = out["visitors"] / total if total else 0.0
    return out


def top_places(con: duckdb.DuckDBPyConnection, filters: Filters, limit: int = 10) -> pd.DataFrame:
    """Most visited places in the month range: attractions, or the filters' categories when given.

    Columns: place_id, name_en, name_th, category, zone_id, zone_name, visits, avg_dwell_minutes.
    """
    params = {**_range_params(filters), "categories": list(filters.categories), "limit": int(limit)}
    return sql.fetch_df(con, "app/public_top_places", params)


def zone_days(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Person-days by main tourism zone (and outside every zone, last) for the month range and segment groups.

    Columns: zone_id ('' outside), name_en, name_th, outside, visitors, overnight, day_trippers, residents,
    international, share (of all shown person-days).
    """
    df = sql.fetch_df(con, "app/public_zone_days", {**_range_params(filters), "segments": list(filters.segments)})
    df["outside"] = df["outside"].astype(bool)
    df.loc[df["outside"], "name_en"] = OUTSIDE_LABEL
    df.loc[df["outside"], "name_th"] = ""
    total = float(df["visitors"].sum())
    df["share"] = df["visitors"] / total if total else 0.0
    return df.reset_index(drop=True)


def cell_density(con: duckdb.DuckDBPyConnection, filters: Filters, hour: int | None = None) -> pd.DataFrame:
    """People present per published H3 cell (average per selected hour slot), busiest first.

    ``hour`` narrows the sidebar hours to one hour of day (playback). Columns: cell, zone_id, lat, lon,
    visitor_hours, present.
    """
    return sql.fetch_df(con, "app/public_cell_density", _selection(filters, hour))


def cell_detail(
    con: duckdb.DuckDBPyConnection, lat: float, lon: float, filters: Filters, hour: int | None = None,
    *, resolution: int = H3_RESOLUTION,
) -> CellDetail | None:
    """Drill-down for the H3 cell under a clicked point (``presence.CellDetail``; None outside the atlas' cells).

    ``suppressed`` is True when no published row of the cell falls in the selection: the cell is then either
    empty or below the floor, and the public view does not say which.
    """
    cell = cell_at(lat, lon, resolution)
    info = sql.fetch_one(con, "app/presence_cell_info", {"cell": cell})
    if info is None:
        return None
    params = _selection(filters, hour)
    hours = sql.fetch_df(con, "app/public_cell_hours", {
        **{k: params[k] for k in ("first_month", "last_month", "weekdays", "segments")}, "cell": cell})
    hour_range = (params["hour_from"], params["hour_to"])
    selected = hours[hours["hour"].between(*hour_range)]
    return detail_from_hours(cell, info, hours, hour_range, suppressed=selected.empty)


def zone_presence(con: duckdb.DuckDBPyConnection, filters: Filters, hour: int | None = None) -> pd.DataFrame:
    """People present per tourism zone (its published cells and the rest of the zone) for the density selection.

    Columns: zone_id ('' outside), name_en, name_th, area_km2, outside, visitor_hours, cells_with_data
    (published cells), slots, present (per hour slot), share (0..1); zones busiest first, outside last.
    """
    df = sql.fetch_df(con, "app/public_zone_presence", _selection(filters, hour))
    total = float(df["visitor_hours"].sum())
    slots = df["slots"].astype("float64")
    df["present"] = (df["visitor_hours"] / slots.where(slots > 0)).fillna(0.0)
    df["share"] = df["visitor_hours"] / total if total else 0.0
    df["outside"] = df["outside"].astype(bool)
    df.loc[df["outside"], "name_en"] = OUTSIDE_LABEL
    df.loc[df["outside"], "name_th"] = ""
    return df.reset_index(drop=True)


def area_summary(
    con: duckdb.DuckDBPyConnection, filters: Filters, area: str | area_service.Ring, hour: int | None = None,
) -> area_service.AreaSummary:
    """The figures of a drawn area from the published cells (``area.AreaSummary``; the visitor mix withheld).

    People present by hour sum the published cell rows whose centre lies inside: the very units the public
    density map shows. Places and beds inside are public facts. Raises ``FilterError`` for a refused area.
    """
    checked = area_service.check_area(area)
    params = _selection(filters, hour)
    lo, hi = params["hour_from"], params["hour_to"]
    wkt = {"area_wkt": checked.wkt}
    cells = sql.fetch_df(con, "app/area_summary_cells", wkt)
    hours = sql.fetch_df(con, "app/public_area_hours", {
        **wkt, **{k: params[k] for k in ("first_month", "last_month", "weekdays", "segments")}})
    return area_service.summary_from(con, checked, cells, hours, (lo, hi))


def flow_totals(con: duckdb.DuckDBPyConnection, filters: Filters) -> FlowTotals:
    """Trips over every published corridor in the month range and the corridors shown (``internal_trips`` 0:
    moves within one zone are not trips)."""
    row = sql.fetch_one(con, "app/public_corridor_totals", _range_params(filters)) or {}
    return FlowTotals(corridor_trips=int(row.get("corridor_trips") or 0), internal_trips=0,
                      corridors=int(row.get("corridors") or 0),
                      est_corridor_trips=_number(row.get("est_corridor_trips")))


def top_corridors(con: duckdb.DuckDBPyConnection, filters: Filters, top_n: int = 20) -> pd.DataFrame:
    """The ``top_n`` busiest published corridors between tourism zones in the month range, busiest first.

    Columns as ``movement.top_corridors``: rank, origin, origin_name_en/_th, origin_lon/_lat, destination,
    destination_name_en/_th, destination_lon/_lat, trips, trips_per_day (per day with data), share (of the
    published corridor trips).
    """
    from geo.services.movement import MAX_CORRIDORS

    top_n = max(1, min(int(top_n), MAX_CORRIDORS))
    df = sql.fetch_df(con, "app/public_corridors", {**_range_params(filters), "top_n": top_n})
    totals = flow_totals(con, filters)
    days = sum(int(d) for d in _calendar_days(con, filters))
    df["trips_per_day"] = df["trips"] / max(days, 1)
    df["share"] = df["trips"] / totals.corridor_trips if totals.corridor_trips else 0.0
    return df


def _calendar_days(con: duckdb.DuckDBPyConnection, filters: Filters) -> list[int]:
    first, last = month_range(filters)
    df = sql.fetch_df(con, "app/public_months")
    stamps = pd.to_datetime(df["month_start"]).dt.date
    return [int(d) for m, d in zip(stamps, df["days"], strict=True) if first <= m <= last]


def supply_demand(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Per tourism zone: accommodations, rooms, beds, overnight visitors per night and the pressure index.

    Columns as ``capacity.supply_demand`` (outside is always False; peak_* is the busiest month's average
    night): zone_id, name_en, name_th, outside, accommodations, rooms, beds, estimated_places, nights,
    visitor_nights, overnight_per_night, peak_overnight, pressure, peak_pressure, pressure_class,
    pressure_label, colour. Demand: domestic and international people present at 02:00 (published rows).
    """
    p = _selection(filters)
    df = sql.fetch_df(con, "app/public_supply_demand", {k: p[k] for k in ("first_month", "last_month", "weekdays",
                                                                          "segments")})
    df.insert(3, "outside", False)
    df["pressure"] = pd.to_numeric(df["pressure"], errors="coerce")
    df["peak_pressure"] = pd.to_numeric(df["peak_pressure"], errors="coerce")
    return with_pressure_classes(df)


@dataclass(frozen=True, eq=False)
class PlaceVisits:
    """A place's published visits in the month range: ``visits`` (count), ``avg_dwell_minutes`` (None without
    visits) and ``by_month`` (month_start, month 'YYYY-MM', visits; months below the floor are absent);
    ``est_visits`` the ESTIMATED visits (visits × the month's pooled published weight)."""

    visits: int
    avg_dwell_minutes: float | None
    by_month: pd.DataFrame
    est_visits: float = 0.0


def place_visits(con: duckdb.DuckDBPyConnection, place_id: str, filters: Filters) -> PlaceVisits:
    """Published visits to ``place_id`` per month in the month range (see ``PlaceVisits``)."""
    df = sql.fetch_df(con, "app/public_place_months", {**_range_params(filters), "place_id": place_id})
    visits = int(df["visits"].sum()) if not df.empty else 0
    dwell = float(df["dwell_minutes"].sum()) if not df.empty else 0.0
    by_month = df[["month_start", "visits"]].copy()
    by_month["month"] = pd.to_datetime(by_month["month_start"]).dt.strftime("%Y-%m")
    return PlaceVisits(visits=visits, avg_dwell_minutes=dwell / visits if visits else None, by_month=by_month,
                       est_visits=float(df["est_visits"].sum()) if not df.empty else 0.0)


def calibration(con: duckdb.DuckDBPyConnection) -> Calibration:
    """The public estimates' method and monthly calibration line, as the publisher recorded them in ``meta``
    (``calibration.Calibration``: estimated visitors per month against the published visitors; weights per group
    and month; no occupancy, which needs the officials' nightly rollups). ``DataNotBuiltError`` for a file
    published without estimates (an older publisher: publish it again)."""
    record = sql.fetch_one(con, "publish/publication") or {}
    params = json.loads(record.get("params") or "{}")
    est = params.get("estimates")
    if not est:
        msg = _("This published file has no estimates: publish it again with `python -m geo publish`.")
        raise DataNotBuiltError(msg)
    months = tuple(
        CalibrationMonth(month=m["month"], estimated=float(m["estimated"]),
                         published=None if m["published"] is None else float(m["published"]),
                         error=m["error"], implied_occupancy=None, published_occupancy=None, observed=int(m["people"]))
        for m in est["calibration"])
    weights = pd.DataFrame(est["weights"], columns=["segment_group", "month", "weight", "method"])
    return Calibration(months=months, method=est["method"], weights=weights, published=pd.DataFrame(),
                       annual_occupancy=None, rooms=None, persons_per_room=0.0)
