"""Answer visitor-presence questions: overview KPIs, seasonality, hour profiles, origins, density per cell and zone.

Every function takes a DuckDB connection (or cursor) first, runs named queries from ``queries/app/presence_*.sql``
against the small presence rollups (``queries/rollups/1x_*.sql``) and returns plain data (DataFrames, frozen
records, plain values) so results can be cached. Every input a result depends on is an argument, the
privacy floor included (``floor``: 0 for officials, the configured floor in public mode). No page reads ``stays``, ``place_visits`` or pings.

Definitions used on the pages:

* **Visitors (people-days)**: for each day, the unique devices with at least one stay in Chiang Mai during the
  selected hours, summed over the days of the period (a person staying three days counts three times).
* **People present**: the sum over H3 cells of the hourly unique devices, averaged over the days (or
  day-hour slots) with data — "how many people are here at that hour on an average day".
* **Average dwell**: minutes on site per attraction visit (visits that started in the selected hours).

In public mode (``floor`` > 0) the density map and its drill-down sum only cell profile rows
(cell × month × weekday × hour × segment group, the finest unit their filters select) with at least the
privacy floor of distinct devices, so every figure is a sum of units of at least that many people. The
other services floor what they return too (hours with fewer people-hours left out of hour profiles,
origins below the floor merged into "Other markets", itself shown only when it reaches the floor, places
with fewer visits not ranked, a zone with fewer people-days withheld, breakdowns withheld with their
complement); those floors count people-days, visits or people-hours, not distinct people. The public view
no longer reads the officials' database at all: it serves a published file through ``geo.services.public``
(docs/privacy.md).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import duckdb
import h3
import pandas as pd

from geo import sql
from geo.errors import FilterError
from geo.i18n import N_, _, format_date
from geo.services._require import require_tables
from geo.services.filters import Filters
from geo.services.geography import check_zone_level
from geo.settings import H3_RESOLUTION
from geo.vocab import SEASONS, origin_label

#: How the pages word the headline measure (shown in captions).
VISITORS_DEFINITION = N_(
    "Visitors = people-days: for each day, the unique devices with at least one stay in the area during the "
    "selected hours, summed over the days of the period (someone staying three days counts three times)."
)
PRESENT_DEFINITION = N_(
    "People present = unique devices per H3 cell and hour, summed over cells and averaged over the days with "
    "data: how many people are there at that hour on an average day."
)

_DAILY_TABLES = ("presence_days", "presence_daily", "presence_zone_daily", "presence_hourly", "presence_place_daily")
_CELL_TABLES = ("presence_days", "presence_cell_profile")
_CELL_HOUR_TABLES = ("presence_days", "presence_cell_hourly")

#: How the pages word the measure of a summary by zone level (shown in captions).
LEVEL_DEFINITION = N_(
    "People-hours = unique devices per H3 cell and hour, summed over the zone's cells and the selected hours "
    "and days; people present = people-hours per selected hour of a day with data. A cell counts for the "
    "zone holding its centre. Unlike people-days these add up exactly over any zones, so every zone level "
    "is summarised from the same cell figures (someone in two zones in one hour counts in both)."
)
#: Name of the row of a level summary that gathers the cells in no zone of the level.
OUTSIDE_LABEL = N_("Outside every zone of this level")


def expected_days(filters: Filters) -> int:
    """Calendar days in the filter's date range whose weekday is selected."""
    return sum(
        1
        for i in range(filters.days)
        if (filters.start + timedelta(days=i)).weekday() in filters.weekdays
    )


def season_months(season: str, filters: Filters) -> tuple[int, ...]:
    """Months (1..12) a density selection covers: a season, one month, or the months the date range touches."""
    if season not in SEASONS:
        msg = _("Unknown season or month {season!r}: choose one of {choices}.").format(
            season=season, choices=", ".join(SEASONS))
        raise FilterError(msg)
    months = SEASONS[season][1]
    if months:
        return months
    touched: list[int] = []
    day = filters.start.replace(day=1)
    while day <= filters.end and len(touched) < 12:
        touched.append(day.month)
        day = (day + timedelta(days=32)).replace(day=1)
    return tuple(sorted(touched))


def _number(value: Any) -> float:
    return 0.0 if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


@dataclass(frozen=True)
class PeriodKpis:
    """Headline figures of one period (the filters' dates, weekdays, hours and segments).

    ``visitors``, ``overnight``, ``day_trippers``, ``residents`` and ``international`` are people-days;
    ``international_share`` is international ÷ visitors (0..1); ``avg_daily_visitors`` people-days per day
    with data; ``place_visits`` attraction visits started in the selected hours and ``avg_dwell_minutes`` the
    minutes on site per such visit; ``busiest_zone_*`` the zone with the most people-days (id, English name,
    its people-days); ``busiest_hour`` (0..23) the hour with the most people present and
    ``busiest_hour_present`` those people on an average day; ``days_with_data`` of ``days_expected``
    (calendar days with a selected weekday). Averages and shares are None when there is nothing to divide by.
    """

    visitors: int
    overnight: int
    day_trippers: int
    residents: int
    international: int
    international_share: float | None
    avg_daily_visitors: float | None
    place_visits: int
    avg_dwell_minutes: float | None
    busiest_zone_id: str | None
    busiest_zone_name: str | None
    busiest_zone_visitors: int
    busiest_hour: int | None
    busiest_hour_present: float | None
    days_with_data: int
    days_expected: int
    #: ESTIMATED people-days (observed × expansion weights, geo/build/estimates.py): all, overnight,
    #: day-trippers, residents, international; equal to the observed counts where no weight was fitted
    est_visitors: float = 0.0
    est_overnight: float = 0.0
    est_day_trippers: float = 0.0
    est_residents: float = 0.0
    est_international: float = 0.0

    @property
    def est_avg_daily_visitors(self) -> float | None:
        """Estimated people-days per day with data (None without data)."""
        return self.est_visitors / self.days_with_data if self.days_with_data else None


@dataclass(frozen=True)
class KpiChange:
    """Change of the current period against the previous one; every field None without a previous period.

    Counts and ``avg_daily_visitors`` in percent; ``international_share_pp`` in percentage points;
    ``avg_dwell_minutes`` in minutes. A field is also None when either side is missing or the previous count
    is 0.
    """

    visitors: float | None = None
    overnight: float | None = None
    day_trippers: float | None = None
    residents: float | None = None
    international: float | None = None
    avg_daily_visitors: float | None = None
    international_share_pp: float | None = None
    avg_dwell_minutes: float | None = None


@dataclass(frozen=True)
class Kpis:
    """Overview KPIs: the current period, the same-length period just before it, and the change between them.

    ``previous`` is None when the previous period has no data (then ``change`` is all None); ``note`` says why
    changes are missing or should be read with care (empty otherwise); ``previous_start``/``previous_end``
    are the previous period's first and last day.
    """

    current: PeriodKpis
    previous: PeriodKpis | None
    change: KpiChange
    note: str
    previous_start: date
    previous_end: date


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _period_kpis(con: duckdb.DuckDBPyConnection, filters: Filters) -> PeriodKpis:
    row = sql.fetch_one(con, "app/presence_kpis", filters.params()) or {}
    return period_from_row(row, expected_days(filters))


def period_from_row(row: dict[str, Any], days_expected: int) -> PeriodKpis:
    """A ``PeriodKpis`` from one row of a KPI query (``app/presence_kpis`` or ``app/public_kpis``: the same
    columns); missing or null figures read 0 (averages and shares None)."""
    visitors = int(row.get("visitors") or 0)
    days_with_data = int(row.get("days_with_data") or 0)
    place_visits = int(row.get("place_visits") or 0)
    busiest_hour = row.get("busiest_hour")
    return PeriodKpis(
        visitors=visitors,
        overnight=int(row.get("overnight") or 0),
        day_trippers=int(row.get("day_trippers") or 0),
        residents=int(row.get("residents") or 0),
        international=int(row.get("international") or 0),
        international_share=(int(row.get("international") or 0) / visitors) if visitors else None,
        avg_daily_visitors=(visitors / days_with_data) if days_with_data else None,
        place_visits=place_visits,
        avg_dwell_minutes=(_number(row.get("place_dwell_minutes")) / place_visits) if place_visits else None,
        busiest_zone_id=_text_or_none(row.get("busiest_zone_id")),
        busiest_zone_name=_text_or_none(row.get("busiest_zone_name")),
        busiest_zone_visitors=int(row.get("busiest_zone_visitors") or 0),
        busiest_hour=None if busiest_hour is None else int(busiest_hour),
        busiest_hour_present=(
            _number(row.get("busiest_hour_visitor_hours")) / days_with_data
            if busiest_hour is not None and days_with_data else None
        ),
        days_with_data=days_with_data,
        days_expected=days_expected,
        est_visitors=_number(row.get("est_visitors")),
        est_overnight=_number(row.get("est_overnight")),
        est_day_trippers=_number(row.get("est_day_trippers")),
        est_residents=_number(row.get("est_residents")),
        est_international=_number(row.get("est_international")),
    )


def _pct_change(now: float | None, before: float | None) -> float | None:
    if now is None or before is None or before == 0:
        return None
    return (now - before) / before * 100.0


def _difference(now: float | None, before: float | None, scale: float = 1.0) -> float | None:
    return None if now is None or before is None else (now - before) * scale


def change_between(current: PeriodKpis, previous: PeriodKpis | None) -> KpiChange:
    """The change of each KPI from ``previous`` to ``current`` (percent; points for the international share,
    minutes for the dwell); all None without a previous period."""
    if previous is None:
        return KpiChange()
    return KpiChange(
        visitors=_pct_change(current.visitors, previous.visitors),
        overnight=_pct_change(current.overnight, previous.overnight),
        day_trippers=_pct_change(current.day_trippers, previous.day_trippers),
        residents=_pct_change(current.residents, previous.residents),
        international=_pct_change(current.international, previous.international),
        avg_daily_visitors=_pct_change(current.avg_daily_visitors, previous.avg_daily_visitors),
        international_share_pp=_difference(current.international_share, previous.international_share, 100.0),
        avg_dwell_minutes=_difference(current.avg_dwell_minutes, previous.avg_dwell_minutes),
    )


def kpi_note(k: Kpis) -> str:
    """``k.note`` in the current language (``geo.i18n``), dates in its own form: the services' records stay
    language-neutral (they are cached across readers), so pages and the report word the note with this."""
    if not k.note:
        return ""
    period = f"{format_date(k.previous_start)} – {format_date(k.previous_end)}"
    if k.previous is None:
        return _("No data for the previous period ({period}): changes are not shown.").format(period=period)
    return _("The previous period ({period}) has data on {days} of {expected} days: compare with care.").format(
        period=period, days=k.previous.days_with_data, expected=k.previous.days_expected)


def kpis(con: duckdb.DuckDBPyConnection, filters: Filters) -> Kpis:
    """Overview KPIs for ``filters`` and the same-length previous period, with the change between them (see ``Kpis``)."""
    require_tables(con, *_DAILY_TABLES)
    current = _period_kpis(con, filters)
    prev_filters = filters.previous_period()
    previous: PeriodKpis | None = _period_kpis(con, prev_filters)
    note = ""
    if previous.days_with_data == 0:
        previous = None
        note = (f"No data for the previous period ({prev_filters.start:%d %b %Y} – {prev_filters.end:%d %b %Y}): "
                "changes are not shown.")
    elif previous.days_with_data < previous.days_expected:
        note = (f"The previous period ({prev_filters.start:%d %b %Y} – {prev_filters.end:%d %b %Y}) has data on "
                f"{previous.days_with_data} of {previous.days_expected} days: compare with care.")
    change = change_between(current, previous)
    return Kpis(current=current, previous=previous, change=change, note=note,
                previous_start=prev_filters.start, previous_end=prev_filters.end)


def seasonality(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """Average people per day by month and visitor type over the whole data span (weekday/hour/segment filters).

    Columns: month_start (date), visitor_type, visitors (people-days), days_with_data, avg_daily_visitors.
    """
    require_tables(con, *_DAILY_TABLES)
    p = filters.params()
    params = {k: p[k] for k in ("weekdays", "hour_from", "hour_to", "segments")}
    return sql.fetch_df(con, "app/presence_seasonality", params)


def festival_days(con: duckdb.DuckDBPyConnection, calendar: Path) -> pd.DataFrame:
    """Festivals and holidays to mark on the seasonality chart, from the calendar file the simulator reads.

    ``calendar`` is the file (``data/seed/calendar.csv`` by default; the UI passes it so the file is part of
    the cached result's key). Columns: start, end (timestamps; ``end`` is the day after the last festival
    day), name, applies_to (``all``, a segment group or a segment). Empty when the file is absent.
    """
    del con  # the calendar is a seed file, not a table; kept for the service signature
    empty = pd.DataFrame({"start": pd.Series(dtype="datetime64[ns]"), "end": pd.Series(dtype="datetime64[ns]"),
                          "name": pd.Series(dtype="str"), "applies_to": pd.Series(dtype="str")})
    path = Path(calendar)
    if not path.is_file():
        return empty
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    if not {"kind", "date_from", "date_to", "name"} <= set(raw.columns):
        return empty
    rows = raw[raw["kind"] == "festival"]
    out = pd.DataFrame({
        "start": pd.to_datetime(rows["date_from"], format="%Y-%m-%d", errors="coerce"),
        "end": pd.to_datetime(rows["date_to"], format="%Y-%m-%d", errors="coerce") + pd.Timedelta(days=1),
        "name": rows["name"].astype(str),
        "applies_to": rows["applies_to"].astype(str) if "applies_to" in rows.columns else "all",
    })
    # the calendar gives a festival extra rows (same name and days) that shift its origin mix: mark it once
    out = out.drop_duplicates(subset=["name", "start", "end"], keep="first")
    return out.dropna(subset=["start", "end"]).sort_values("start").reset_index(drop=True)


def hour_weekday(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """People present by weekday (0 = Monday) and hour of day, averaged over the period's days of that weekday.

    Columns: weekday, hour, visitor_hours, present.
    """
    require_tables(con, *_DAILY_TABLES)
    return sql.fetch_df(con, "app/presence_hour_weekday", filters.params())


def origin_mix(
    con: duckdb.DuckDBPyConnection, filters: Filters, zone_id: str = "", top: int = 10, *, floor: int
) -> pd.DataFrame:
    """People-days by origin market, the ``top`` largest and the rest as "Other markets".

    ``zone_id=''`` is the whole city. ``floor`` is the privacy floor (0 for officials): markets below it are
    folded into "Other markets", itself shown only when it reaches the floor. Columns: origin (readable),
    segment_group, visitors, share (0..1).
    """
    require_tables(con, *_DAILY_TABLES)
    df = sql.fetch_df(con, "app/presence_origin_mix", {**filters.params(), "zone_id": zone_id})
    total = float(df["visitors"].sum()) if not df.empty else 0.0
    df["origin"] = [origin_label(s, "en") for s in df["segment"]]
    if total < floor:
        return pd.DataFrame({"origin": pd.Series(dtype=object), "segment_group": pd.Series(dtype=object),
                             "visitors": pd.Series(dtype="int64"), "share": pd.Series(dtype=float)})
    head = df[df["visitors"] >= floor].head(top)[["origin", "segment_group", "visitors"]]
    # "Other markets" below the floor would still be known as total - shown: fold the smallest markets in
    while floor and len(head) and 0 < total - float(head["visitors"].sum()) < floor:
        head = head.iloc[:-1]
    rest = df[~df.index.isin(head.index)]
    if not rest.empty:
        other = pd.DataFrame([{"origin": "Other markets", "segment_group": "other",
                               "visitors": int(rest["visitors"].sum())}])
        head = pd.concat([head, other], ignore_index=True)
    head = head.reset_index(drop=True)
    head["visitors"] = head["visitors"].astype("int64")
    head["share"] = head["visitors"] / total if total else 0.0
    return head


def top_places(
    con: duckdb.DuckDBPyConnection, filters: Filters, zone_id: str = "", limit: int = 10, *, floor: int
) -> pd.DataFrame:
    """Most visited places (visits started in the selected hours), city-wide or in ``zone_id``.

    Attractions only, unless the filter names categories (then exactly those, e.g. hotels). Columns: place_id, name_en, name_th, category, zone_id, zone_name,
    visits (count), avg_dwell_minutes (minutes per visit).
    """
    require_tables(con, *_DAILY_TABLES)
    params = {**filters.params(), "zone_id": zone_id, "categories": list(filters.categories), "limit": int(limit)}
    df = sql.fetch_df(con, "app/presence_top_places", params)
    return df[df["visits"] >= floor].reset_index(drop=True)


def hour_profile(
    con: duckdb.DuckDBPyConnection, filters: Filters, zone_id: str = "", *, floor: int
) -> pd.DataFrame:
    """People present by hour of day (average per day with data), city-wide or in ``zone_id``.

    Columns: hour, visitor_hours, present.
    """
    require_tables(con, *_DAILY_TABLES)
    df = sql.fetch_df(con, "app/presence_hour_profile", {**filters.params(), "zone_id": zone_id})
    # hours with at least the privacy floor of people-hours (all of them for officials)
    return df[df["visitor_hours"] >= floor].reset_index(drop=True) if floor else df


@dataclass(frozen=True)
class ZoneSummary:
    """One zone's figures for a period. Counts are people-days in the zone; None where withheld.

    In public mode (``floor`` > 0) a zone with fewer people-days than the floor is ``suppressed`` with every
    figure None; otherwise a breakdown below the floor is withheld with its complement (overnight,
    day-trippers and residents together; international and its share when international, domestic or
    residents is below the floor), so no hidden part can be recovered by subtraction.
    """

    zone_id: str
    name_en: str
    name_th: str
    area_km2: float
    visitors: int | None
    overnight: int | None
    day_trippers: int | None
    residents: int | None
    international: int | None
    international_share: float | None
    avg_daily_visitors: float | None
    hours_per_visitor: float | None
    days_with_data: int
    suppressed: bool


def zone_summary(
    con: duckdb.DuckDBPyConnection, filters: Filters, zone_id: str, *, floor: int
) -> ZoneSummary | None:
    """One zone's figures for the period (None for an unknown zone); ``floor`` is the privacy floor (0: none)."""
    require_tables(con, *_DAILY_TABLES)
    row = sql.fetch_one(con, "app/presence_zone_summary", {**filters.params(), "zone_id": zone_id})
    if row is None:
        return None
    days_with_data = int(row["days_with_data"])
    visitors = int(row["visitors"])
    figures: dict[str, Any] = {
        "visitors": visitors,
        "overnight": int(row["overnight"]),
        "day_trippers": int(row["day_trippers"]),
        "residents": int(row["residents"]),
        "international": int(row["international"]),
        "international_share": (int(row["international"]) / visitors) if visitors else None,
        "avg_daily_visitors": (visitors / days_with_data) if days_with_data else None,
        "hours_per_visitor": (_number(row["dwell_minutes"]) / 60.0 / visitors) if visitors else None,
    }
    suppressed = bool(floor) and visitors < floor
    if suppressed:
        figures = dict.fromkeys(figures)
    elif floor:
        # a part is withheld with its complement, or it could be recovered by subtraction from the total
        if min(figures["overnight"], figures["day_trippers"], figures["residents"]) < floor:
            figures.update(overnight=None, day_trippers=None, residents=None)
        # the share gives international and, with residents shown elsewhere, domestic: all three must pass
        domestic = visitors - int(row["international"]) - int(row["residents"])
        if min(int(row["international"]), int(row["residents"]), domestic) < floor:
            figures.update(international=None, international_share=None)
    return ZoneSummary(
        zone_id=str(row["zone_id"]),
        name_en=str(row["name_en"]),
        name_th=str(row["name_th"]),
        area_km2=float(row["area_km2"]),
        days_with_data=days_with_data,
        suppressed=suppressed,
        **figures,
    )


def _level_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Finish a level summary: present (per slot), share of all people-hours, the outside row named."""
    df = df.copy()
    total = float(df["visitor_hours"].sum())
    slots = df["slots"].astype("float64")
    df["present"] = (df["visitor_hours"] / slots.where(slots > 0)).fillna(0.0)
    df["share"] = df["visitor_hours"] / total if total else 0.0
    df["outside"] = df["outside"].astype(bool)
    df.loc[df["outside"], "name_en"] = OUTSIDE_LABEL
    df.loc[df["outside"], "name_th"] = ""
    df["area_km2"] = pd.to_numeric(df["area_km2"], errors="coerce")
    df["visitor_hours"] = df["visitor_hours"].astype("int64")
    df["cells_with_data"] = df["cells_with_data"].astype("int64")
    return df.reset_index(drop=True)


def level_hours(con: duckdb.DuckDBPyConnection, filters: Filters) -> pd.DataFrame:
    """People-hours and people present per zone of ``filters.zone_level`` for the period (the Overview).

    Summed from the cell-keyed ``presence_cell_hourly`` rollup through ``cell_zones``, so any loaded level
    works without a rebuild, and the rows add up exactly: the zones plus the ``outside`` row (cells with
    people in no zone of the level) equal the whole city. Columns: zone_id ('' for the outside row),
    name_en, name_th, area_km2 (NaN outside), outside (bool), visitor_hours (people-hours), dwell_minutes,
    cells_with_data, days_with_data, slots (days with data × selected hours), present (people present per
    slot), share (of all people-hours, 0..1). Zones busiest first, the outside row last. Officials only:
    day-level figures under a free date range (see ``zone_summary``).
    """
    require_tables(con, *_CELL_HOUR_TABLES)
    level = check_zone_level(con, filters.zone_level)
    return _level_frame(sql.fetch_df(con, "app/presence_level_hours", {**filters.params(), "level": level}))


def level_density(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    season: str = "range",
    hour: int | None = None,
    *,
    floor: int,
) -> pd.DataFrame:
    """People present per zone of ``filters.zone_level`` for the Visitor density selection (the map's).

    The same selection as ``cell_density`` (months of ``season``, weekdays, sidebar hours or the playback
    ``hour``, segment groups, profile rows with at least ``floor`` distinct devices), summed per zone over
    ``cell_zones``: each zone's figure is the sum of its cells' on the map. Columns: zone_id ('' for the
    outside row), name_en, name_th, area_km2, outside, visitor_hours, cells_with_data, slots, present
    (people present per hour slot), share (0..1); zones busiest first, the outside row last.
    """
    require_tables(con, *_CELL_TABLES)
    level = check_zone_level(con, filters.zone_level)
    params = {**_density_params(filters, season, hour, floor), "level": level}
    return _level_frame(sql.fetch_df(con, "app/presence_level_density", params))


def _density_params(filters: Filters, season: str, hour: int | None, floor: int) -> dict[str, Any]:
    filters.check()
    if hour is not None and (not isinstance(hour, Integral) or not 0 <= hour <= 23):
        msg = _("Hour of day must be 0..23, got {hour}.").format(hour=hour)
        raise FilterError(msg)
    lo, hi = (hour, hour) if hour is not None else filters.hours
    return {
        "months": list(season_months(season, filters)),
        "weekdays": list(filters.weekdays),
        "hour_from": int(lo),
        "hour_to": int(hi),
        "segments": list(filters.segments),
        "floor": int(floor),
    }


def cell_density(
    con: duckdb.DuckDBPyConnection,
    filters: Filters,
    season: str = "range",
    hour: int | None = None,
    *,
    floor: int,
) -> pd.DataFrame:
    """People present per H3 cell (average per selected hour slot), only cells with data, busiest first.

    ``season`` is a key of ``SEASONS`` ("range" = the months the date range touches); ``hour`` narrows the
    sidebar hours to one hour of day (playback); ``floor`` is the privacy floor of distinct people per
    summed profile row (0 for officials). Columns: cell (int), zone_id, lat, lon, visitor_hours, present.
    """
    require_tables(con, *_CELL_TABLES)
    df = sql.fetch_df(con, "app/presence_cell_density", _density_params(filters, season, hour, floor))
    return df[df["visitor_hours"] >= max(floor, 1)].reset_index(drop=True)


def cell_at(lat: float, lon: float, resolution: int = H3_RESOLUTION) -> int:
    """The H3 cell (as the unsigned integer the database stores) containing a WGS84 point."""
    return int(h3.latlng_to_cell(lat, lon, resolution), 16)


def cell_centre(cell_hex: str, resolution: int = H3_RESOLUTION) -> tuple[float, float] | None:
    """(lat, lon) of the centre of an H3 cell given as hex text; None unless it is a valid cell of ``resolution``.

    Any text is accepted (it may come from the URL): ``h3`` raises OverflowError for negative or oversized
    numbers and ValueError/TypeError for other garbage, all of which mean "not a cell".
    """
    if not isinstance(cell_hex, str) or not 1 <= len(cell_hex) <= 16:
        return None
    try:
        ok = h3.is_valid_cell(cell_hex) and h3.get_resolution(cell_hex) == resolution
    except (ValueError, TypeError, OverflowError):
        ok = False
    if not ok:
        return None
    lat, lon = h3.cell_to_latlng(cell_hex)
    return (round(lat, 6), round(lon, 6))


@dataclass(frozen=True)
class CellDetail:
    """Drill-down of one H3 cell: its centre and zone, people present, the peak hour and the hour profile.

    ``present`` is people present per selected hour slot (0 without data); ``hours`` a DataFrame (hour,
    present). ``suppressed`` is True in public mode when the cell has fewer people-hours than the floor:
    the figures are then withheld (zeros, None and an empty profile).
    """

    cell: int
    cell_hex: str
    lat: float
    lon: float
    zone_id: str | None
    zone_name: str | None
    zone_name_th: str | None
    present: float
    peak_hour: int | None
    peak_present: float | None
    hours: pd.DataFrame
    suppressed: bool


def cell_detail(
    con: duckdb.DuckDBPyConnection,
    lat: float,
    lon: float,
    filters: Filters,
    season: str = "range",
    hour: int | None = None,
    *,
    floor: int,
    resolution: int = H3_RESOLUTION,
) -> CellDetail | None:
    """Drill-down for the H3 cell under a clicked point (None when the point is outside the atlas' cells)."""
    require_tables(con, *_CELL_TABLES)
    if not (isinstance(lat, Real) and isinstance(lon, Real)
            and -90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails every comparison
        return None
    cell = cell_at(lat, lon, resolution)
    info = sql.fetch_one(con, "app/presence_cell_info", {"cell": cell})
    if info is None:
        return None
    params = _density_params(filters, season, hour, floor)
    hour_params = {k: params[k] for k in ("months", "weekdays", "segments", "floor")}
    hours = sql.fetch_df(con, "app/presence_cell_hours", {**hour_params, "cell": cell})
    selected = hours[hours["hour"].between(params["hour_from"], params["hour_to"])]
    suppressed = bool(floor) and int(selected["visitor_hours"].sum()) < floor
    if suppressed:
        hours, selected = hours.iloc[0:0], selected.iloc[0:0]
    return detail_from_hours(cell, info, hours, (params["hour_from"], params["hour_to"]), suppressed=suppressed)


def detail_from_hours(cell: int, info: dict[str, Any], hours: pd.DataFrame, hour_range: tuple[int, int], *,
                      suppressed: bool) -> CellDetail:
    """A ``CellDetail`` from the cell's row of ``app/presence_cell_info`` (``info``) and its people present by hour
    of day (``hours``: hour, present), the selected hours being ``hour_range`` (first, last; shared by the
    officials' and the public drill-down)."""
    lo, hi = hour_range
    selected = hours[hours["hour"].between(lo, hi)]
    peak = hours.sort_values(["present", "hour"], ascending=[False, True]).head(1)
    return CellDetail(
        cell=cell,
        cell_hex=format(cell, "x"),
        lat=float(info["lat"]),
        lon=float(info["lon"]),
        zone_id=info["zone_id"],
        zone_name=info["zone_name"],
        zone_name_th=info["zone_name_th"],
        present=float(selected["present"].sum()) / (hi - lo + 1),
        peak_hour=int(peak["hour"].iloc[0]) if not peak.empty else None,
        peak_present=float(peak["present"].iloc[0]) if not peak.empty else None,
        hours=hours[["hour", "present"]].reset_index(drop=True),
        suppressed=suppressed,
    )
