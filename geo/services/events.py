"""Event impact: an event's days against a baseline of the same weekdays in the weeks around it.

The baseline of an event is, for each of its days with data, the same weekday 1..``BASELINE_WEEKS`` weeks
before and after, keeping only days with presence data that lie in no event of the calendar (this one or
any other), so one festival never inflates another's baseline. Every figure is a mean per day of the
period (event or baseline) from the daily rollups (``presence_zone_daily``, ``presence_daily``,
``presence_hourly``, ``presence_cell_hourly``), in the measure ``geo.services.measure`` chooses (estimated
people when the rollups carry them, else observed devices); visitors are people who are not residents.

* per zone: visitors per day (people-days), change and uplift (event ÷ baseline − 1);
* per H3 cell: people-hours per day (additive over cells), change and uplift;
* the origin mix (share of people-days per origin market and segment group) and the overnight share
  (overnight visitors ÷ visitors) in both periods;
* people present per hour of day in the event's zones, and the busiest hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb
import numpy as np
import pandas as pd

from geo import sql
from geo.errors import EventError
from geo.i18n import _
from geo.services._require import present_tables, require_tables
from geo.services.measure import measure_of
from geo.vocab import origin_label

#: Weeks before and after an event whose same weekdays form its baseline.
BASELINE_WEEKS = 4
#: Hours listed as the busiest.
BUSIEST = 3
#: Rollups the impact reads.
_TABLES = ("presence_days", "presence_zone_daily", "presence_daily", "presence_hourly", "presence_cell_hourly",
           "cell_zones")


@dataclass(frozen=True)
class EventWindow:
    """An event and the days compared: its days with data and its baseline days (both sorted, disjoint)."""

    event_id: str
    name: str
    start_day: date
    end_day: date
    zones: tuple[str, ...]
    applies_to: str
    source: str
    note: str
    event_days: tuple[date, ...]
    baseline_days: tuple[date, ...]


@dataclass(frozen=True)
class EventImpact:
    """What an event changed (see the module docstring). Means are per day of each period.

    ``zones``: zone_id, name_en, name_th, event_mean, baseline_mean, change, uplift (None without baseline
    visitors), in_event (the event is held there). ``cells``: cell, zone_id, event_mean, baseline_mean, change,
    uplift (people-hours per day). ``origins``: segment, origin, segment_group, event_share, baseline_share,
    shift (percentage points). ``groups``: the same per segment group. ``hours``: hour, event_mean,
    baseline_mean (people present). ``measure`` is the rollups' column ("est_people" or "visitors"), per
    section in ``measures`` (zones, city, hours, cells).
    """

    window: EventWindow
    measures: dict[str, str]
    visitors_event: float
    visitors_baseline: float
    uplift: float | None
    overnight_share_event: float | None
    overnight_share_baseline: float | None
    zones: pd.DataFrame
    cells: pd.DataFrame
    origins: pd.DataFrame
    groups: pd.DataFrame
    hours: pd.DataFrame
    busiest_hours: tuple[int, ...]

    @property
    def measure(self) -> str:
        """The headline's measure column (the city-wide daily rollup's)."""
        return self.measures["city"]


def baseline_days(
    event_days: list[date] | tuple[date, ...], blocked: set[date], data_days: set[date], weeks: int = BASELINE_WEEKS,
) -> list[date]:
    """The same weekdays 1..``weeks`` weeks before and after each event day, with data and in no event (sorted)."""
    out: set[date] = set()
    for day in event_days:
        for k in range(1, weeks + 1):
            for sign in (-1, 1):
                other = day + timedelta(days=7 * k * sign)
                if other in data_days and other not in blocked:
                    out.add(other)
    return sorted(out)


def list_events_empty() -> pd.DataFrame:
    """An empty calendar with ``list_events``' columns."""
    return pd.DataFrame(columns=["event_id", "name", "start_day", "end_day", "zones", "applies_to", "source", "note",
                                 "days", "days_with_data"])


def list_events(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every event of the calendar: event_id, name, start_day, end_day, zones, applies_to, source, note, days,
    days_with_data. Empty (with those columns) when the database has no calendar yet."""
    if "events" not in present_tables(con):
        return list_events_empty()
    require_tables(con, "presence_days")
    df = sql.fetch_df(con, "app/event_list")
    df["zones"] = [tuple(z) if z is not None else () for z in df["zones"]]
    return df


def event_window(con: duckdb.DuckDBPyConnection, event_id: str, weeks: int = BASELINE_WEEKS) -> EventWindow:
    """The event ``event_id`` with its days with data and its baseline days; ``EventError`` when it has none."""
    if "events" not in present_tables(con):
        msg = _("This database has no event calendar yet. Rebuild it with `make build` (or `python -m geo build`).")
        raise EventError(msg)
    require_tables(con, "presence_days")
    row = sql.fetch_one(con, "app/event_one", {"event_id": event_id})
    if row is None:
        msg = _("No event {id} in the calendar; `python -m geo event list` shows the ids.").format(id=event_id)
        raise EventError(msg)
    days = sql.fetch_df(con, "app/event_days_blocked")
    days["day"] = [_as_date(d) for d in days["day"]]
    blocked = set(days.loc[days["in_event"], "day"])
    data_days = set(days.loc[~days["in_event"], "day"])
    start, end = _as_date(row["start_day"]), _as_date(row["end_day"])
    own = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    event_days = [d for d in own if d in data_days]
    if not event_days:
        span = (f"{min(data_days):%Y-%m-%d} to {max(data_days):%Y-%m-%d}" if data_days else _("no days"))
        msg = _("{name} ({start} to {end}) has no presence data on its days; the data cover {span}.").format(
            name=row["name"], start=start.isoformat(), end=end.isoformat(), span=span)
        raise EventError(msg)
    base = baseline_days(event_days, blocked, data_days, weeks)
    if not base:
        msg = _("{name} has no baseline: no day with data and outside every event lies {weeks} weeks around it "
                "on the same weekdays.").format(name=row["name"], weeks=weeks)
        raise EventError(msg)
    return EventWindow(row["event_id"], row["name"], start, end, tuple(row["zones"] or ()), row["applies_to"],
                       row["source"], row["note"] or "", tuple(event_days), tuple(base))


def _as_date(value: object) -> date:
    """A DuckDB/pandas day (date, datetime or Timestamp) as a ``date``."""
    return value.date() if isinstance(value, datetime) else value  # type: ignore[return-value]


def _uplift(event: pd.Series, baseline: pd.Series) -> list[float | None]:
    return [None if b <= 0 else float(e / b - 1) for e, b in zip(event, baseline, strict=True)]


def event_impact(con: duckdb.DuckDBPyConnection, event_id: str, weeks: int = BASELINE_WEEKS) -> EventImpact:
    """The impact of event ``event_id`` (see ``EventImpact``); ``EventError`` for an unknown event or one without
    data or baseline, ``DataNotBuiltError`` without flows."""
    require_tables(con, *_TABLES)
    w = event_window(con, event_id, weeks)
    n_event, n_base = len(w.event_days), len(w.baseline_days)
    days = {"event_days": list(w.event_days), "baseline_days": list(w.baseline_days)}
    measures = {"zones": measure_of(con, "presence_zone_daily"), "city": measure_of(con, "presence_daily"),
                "hours": measure_of(con, "presence_hourly"), "cells": measure_of(con, "presence_cell_hourly")}

    zones = sql.fetch_df(con, "app/event_zone_uplift", days, idents={"measure": measures["zones"]})
    zones["event_mean"] = zones.pop("event_total") / n_event
    zones["baseline_mean"] = zones.pop("baseline_total") / n_base
    zones["change"] = zones["event_mean"] - zones["baseline_mean"]
    zones["uplift"] = _uplift(zones["event_mean"], zones["baseline_mean"])
    zones["in_event"] = zones["zone_id"].isin(w.zones) if w.zones else True

    cells = sql.fetch_df(con, "app/event_cells", days, idents={"measure": measures["cells"]})
    cells["event_mean"] = cells.pop("event_total") / n_event
    cells["baseline_mean"] = cells.pop("baseline_total") / n_base
    cells["change"] = cells["event_mean"] - cells["baseline_mean"]
    cells["uplift"] = _uplift(cells["event_mean"], cells["baseline_mean"])

    mix = sql.fetch_df(con, "app/event_city_mix", days, idents={"measure": measures["city"]})
    mix["per_day"] = mix["visitors"] / np.where(mix["period"] == "event", n_event, n_base)
    visitors = mix[mix["visitor_type"] != "resident"]

    def total(period: str, frame: pd.DataFrame = visitors) -> float:
        return float(frame.loc[frame["period"] == period, "per_day"].sum())

    v_event, v_base = total("event"), total("baseline")
    overnight = visitors[visitors["visitor_type"] == "overnight"]

    def share(part: float, whole: float) -> float | None:
        return part / whole if whole > 0 else None

    origins = _shares(mix, "segment")
    origins["origin"] = [origin_label(s, "en") for s in origins["segment"]]  # cached for every reader: English
    origins["segment_group"] = [s.split(":", 1)[0] for s in origins["segment"]]
    groups = _shares(mix.assign(segment_group=[s.split(":", 1)[0] for s in mix["segment"]]), "segment_group")

    hours = sql.fetch_df(con, "app/event_hours", {**days, "zone_ids": list(w.zones)},
                         idents={"measure": measures["hours"]})
    frame = pd.DataFrame({"hour": range(24)})
    for period, n in (("event", n_event), ("baseline", n_base)):
        part = hours[hours["period"] == period].set_index("hour")["visitors"] / n
        frame[f"{period}_mean"] = frame["hour"].map(part).fillna(0.0).astype(float)
    busy = frame[frame["event_mean"] > 0].sort_values(["event_mean", "hour"], ascending=[False, True])
    busiest = tuple(int(h) for h in busy.head(BUSIEST)["hour"])
    return EventImpact(
        window=w, measures=measures, visitors_event=v_event, visitors_baseline=v_base,
        uplift=None if v_base <= 0 else v_event / v_base - 1,
        overnight_share_event=share(total("event", overnight), v_event),
        overnight_share_baseline=share(total("baseline", overnight), v_base),
        zones=zones, cells=cells, origins=origins, groups=groups, hours=frame, busiest_hours=busiest,
    )


def _shares(mix: pd.DataFrame, key: str) -> pd.DataFrame:
    """Share of people-days per ``key`` in each period (residents included), and the shift in points."""
    sums = mix.groupby([key, "period"], as_index=False)["per_day"].sum()
    wide = sums.pivot(index=key, columns="period", values="per_day").fillna(0.0)
    for period in ("event", "baseline"):
        col = wide[period] if period in wide else pd.Series(0.0, index=wide.index)
        wide[f"{period}_share"] = col / col.sum() if col.sum() > 0 else 0.0
    out = wide.reset_index()[[key, "event_share", "baseline_share"]]
    out["shift"] = (out["event_share"] - out["baseline_share"]) * 100
    out.columns.name = None
    return out.sort_values("event_share", ascending=False).reset_index(drop=True)
