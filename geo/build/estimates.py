"""Fit the expansion weights that turn observed devices into estimated people, per segment group and month.

An operator sees only its own subscribers, and a simulated feed only its sample: each observed device
stands for ``weight`` people. The weights are fitted at a coarser grain than the monthly check, so the
check against published monthly figures is not a tautology (docs/estimates.md):

* **visitor groups** (domestic, international): one weight per group for the whole period,
  ``sum of the published visitors of the months with data ÷ sum of the devices observed in those months``
  (a month's published figure is scaled by the share of its days the data covers). Every month then gets
  that same weight, and each month's estimate (weight × devices observed that month) is compared with that
  month's published figure: only the period total is matched by construction;
* **operator market shares** (an imported feed's own file, ``market_shares``): weight = 1 ÷ (market share ×
  sampling) per group and month, fitted to nothing published, so every monthly comparison is a check;
* **residents**: registered population of the area the resident devices live in ÷ resident devices;
* no published figure and no market share: weight 1 (estimates equal observed devices), said so in ``method``.

The build writes ``expansion_weights`` (one row per group and month with every input) before the rollups,
which carry ``est_people`` = Σ weight × observed, and records the inputs in ``meta`` (dataset ``estimates``).
"""

from __future__ import annotations

import calendar
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from geo import __version__, sql
from geo import published as pub
from geo.errors import SeedDataError
from geo.i18n import N_

#: Columns of ``expansion_weights`` (and of ``fit_weights``'s result).
WEIGHT_COLUMNS = ("segment_group", "month_start", "devices", "coverage", "published", "weight", "method",
                  "fit_published", "fit_devices", "market_share")
MARKET_SHARE_COLUMNS = ("segment_group", "month", "market_share", "sampling")


@dataclass(frozen=True)
class Span:
    """First and last local day with observed data."""

    first_day: date
    last_day: date

    def coverage(self, month_start: date) -> float:
        """Share of the days of ``month_start``'s month that lie inside the span (0..1)."""
        days = calendar.monthrange(month_start.year, month_start.month)[1]
        month_end = month_start.replace(day=days)
        lo, hi = max(self.first_day, month_start), min(self.last_day, month_end)
        return max(0, (hi - lo).days + 1) / days


def _month_published(published: pd.DataFrame, group: str, month: int) -> float | None:
    return pub.first_value(published, "visitors", segment=group, month=month)


def _shares_for(shares: pd.DataFrame | None, group: str, month: int) -> tuple[float, float] | None:
    if shares is None or shares.empty:
        return None
    rows = shares[shares["segment_group"] == group]
    exact = rows[rows["month"] == month]
    rows = exact if not exact.empty else rows[rows["month"].isna()]
    if rows.empty:
        return None
    return float(rows["market_share"].iloc[0]), float(rows["sampling"].iloc[0])


def fit_weights(observed: pd.DataFrame, published: pd.DataFrame, span: Span, *, resident_devices: int,
                shares: pd.DataFrame | None = None) -> pd.DataFrame:
    """Expansion weights per segment group and month from given inputs (see the module docstring).

    ``observed``: segment_group, month_start (first day of the month), devices (distinct devices present in
    the month). ``published``: rows of ``published_stats``. ``shares``: segment_group, month (1..12 or NaN
    for every month), market_share (0..1], sampling (0..1]; optional. Returns ``WEIGHT_COLUMNS``: coverage
    is the share of the month's days with data, published the month's published visitors × coverage (None
    where none is published), fit_published/fit_devices the totals the group's weight was fitted from.
    """
    rows: list[dict] = []
    obs = observed.assign(month_start=pd.to_datetime(observed["month_start"]).dt.date)
    for group, part in obs.groupby("segment_group", sort=True):
        part = part.sort_values("month_start")
        months = list(part["month_start"])
        devices = [int(d) for d in part["devices"]]
        coverage = [span.coverage(m) for m in months]
        month_pub = [_month_published(published, group, m.month) if group in pub.VISITOR_GROUPS else None
                     for m in months]
        month_pub = [None if p is None else p * c for p, c in zip(month_pub, coverage, strict=True)]
        fit_pub: float | None = None
        fit_dev = sum(devices)
        method = "observed"
        weights = [1.0] * len(months)
        share_used: list[float | None] = [None] * len(months)
        found = [_shares_for(shares, group, m.month) for m in months]
        if all(f is not None for f in found):
            method = "market_share"
            share_used = [f[0] for f in found]  # type: ignore[index]
            weights = [1.0 / (f[0] * f[1]) for f in found]  # type: ignore[index]
            fit_dev = 0
        elif group == "resident":
            pop_value = (pub.first_value(published, "population", segment="resident", area="city")
                         or pub.first_value(published, "population", segment="resident"))
            if pop_value and resident_devices:
                method, fit_pub, fit_dev = "population", pop_value, resident_devices
                weights = [pop_value / resident_devices] * len(months)
        elif group in pub.VISITOR_GROUPS and fit_dev:
            if all(p is not None for p in month_pub):
                fit_pub = float(sum(month_pub))  # type: ignore[arg-type]
            else:
                annual = pub.first_value(published, "visitors", segment=group)
                if annual is not None:
                    fit_pub = annual * sum(coverage) / 12.0
            if fit_pub:
                method = "annual_fit"
                weights = [fit_pub / fit_dev] * len(months)
        for i, m in enumerate(months):
            rows.append({
                "segment_group": group, "month_start": m, "devices": devices[i], "coverage": coverage[i],
                "published": month_pub[i], "weight": weights[i], "method": method,
                "fit_published": fit_pub, "fit_devices": fit_dev, "market_share": share_used[i],
            })
    return pd.DataFrame(rows, columns=list(WEIGHT_COLUMNS))


def read_market_shares(path: Path) -> pd.DataFrame:
    """Read an operator's market shares: CSV ``segment_group,month,market_share[,sampling]`` (month 1..12 or
    blank for every month; shares and sampling in (0, 1], sampling 1 when absent); ``SeedDataError`` on a bad row."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        msg = f"{path.name}: cannot read the market shares file ({exc})"
        raise SeedDataError(msg) from None
    missing = {"segment_group", "month", "market_share"} - set(df.columns)
    if missing:
        msg = f"{path.name}, row 1: columns segment_group, month, market_share are needed (missing {', '.join(sorted(missing))})"
        raise SeedDataError(msg)
    if "sampling" not in df.columns:
        df["sampling"] = "1"
    out = []
    for i, r in enumerate(df.to_dict("records"), start=2):
        try:
            month = int(r["month"]) if str(r["month"]).strip() else None
            share, sampling = float(r["market_share"]), float(r["sampling"])
        except ValueError:
            msg = f"{path.name}, row {i}: month must be 1..12 or blank, market_share and sampling numbers"
            raise SeedDataError(msg) from None
        if r["segment_group"] not in ("domestic", "international", "resident"):
            msg = f"{path.name}, row {i}: segment_group must be domestic, international or resident"
            raise SeedDataError(msg)
        if not (0 < share <= 1 and 0 < sampling <= 1) or (month is not None and not 1 <= month <= 12):
            msg = f"{path.name}, row {i}: market_share and sampling must be in (0, 1], month 1..12 or blank"
            raise SeedDataError(msg)
        out.append({"segment_group": r["segment_group"], "month": month, "market_share": share, "sampling": sampling})
    return pd.DataFrame(out, columns=list(MARKET_SHARE_COLUMNS))


def store_market_shares(con: duckdb.DuckDBPyConnection, shares: pd.DataFrame) -> int:
    """Replace the database's ``market_shares`` with ``shares`` (read by the next weights fit); returns rows."""
    sql.execute(con, "schema/create_market_shares")
    sql.execute(con, "build/delete_market_shares")
    con.register("market_share_rows", shares)
    try:
        sql.execute(con, "build/insert_market_shares")
    finally:
        con.unregister("market_share_rows")
    return len(shares)


def refresh_weights(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Fit the weights from the database's stays, ``published_stats`` and ``market_shares`` and write
    ``expansion_weights`` and the ``estimates`` row of ``meta``; returns the weights."""
    sql.execute(con, "schema/create_published_stats")
    sql.execute(con, "schema/create_market_shares")
    published = sql.fetch_df(con, "build/published_rows")
    shares = sql.fetch_df(con, "build/market_share_rows")
    observed = sql.fetch_df(con, "build/observed_devices_by_month")
    span_row = sql.fetch_one(con, "build/observed_span") or {}
    if observed.empty or span_row.get("first_day") is None:
        weights = pd.DataFrame(columns=list(WEIGHT_COLUMNS))
        sql.execute(con, "schema/create_expansion_weights")
    else:
        span = Span(span_row["first_day"], span_row["last_day"])
        weights = fit_weights(observed, published, span, resident_devices=int(span_row.get("resident_devices") or 0),
                              shares=shares if not shares.empty else None)
        con.register("weight_rows", weights.astype({"devices": "int64", "fit_devices": "int64"}))
        try:
            sql.execute(con, "build/create_expansion_weights")
        finally:
            con.unregister("weight_rows")
    _record_meta(con, weights)
    return weights


def summary(weights: pd.DataFrame) -> dict[str, dict]:
    """Per segment group: method, weight range and the totals it was fitted from (what ``meta`` records)."""
    out: dict[str, dict] = {}
    for group, part in weights.groupby("segment_group", sort=True):
        out[str(group)] = {
            "method": str(part["method"].iloc[0]),
            "weight_min": round(float(part["weight"].min()), 3),
            "weight_max": round(float(part["weight"].max()), 3),
            "fit_published": None if pd.isna(part["fit_published"].iloc[0]) else float(part["fit_published"].iloc[0]),
            "fit_devices": int(part["fit_devices"].iloc[0]),
            "months": len(part),
        }
    return out


def _record_meta(con: duckdb.DuckDBPyConnection, weights: pd.DataFrame) -> None:
    row = sql.fetch_one(con, "build/flows_simulated") or {}
    sql.execute(con, "build/insert_meta", {
        "dataset": "estimates",
        "simulated": bool(row.get("simulated", False)),
        "seed": None,
        "sources": N_("ESTIMATE: observed devices × expansion weights fitted to published statistics "
                      "(data/seed/published_stats.csv, sources in data/README.md; method in docs/estimates.md)"),
        "params": json.dumps({"weights": summary(weights)}, sort_keys=True, default=str),
        "built_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
        "version": __version__,
    })
