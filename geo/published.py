"""Read the published statistics the estimates are calibrated to (``data/seed/published_stats.csv``) and load them.

One row per published figure: ``measure`` (visitors, guest_arrivals, occupancy, rooms, rooms_hotels,
persons_per_room, population, area_km2), ``segment`` (all | domestic | international | resident),
``area`` (province | city | a district name), ``year`` and ``month`` (1..12; blank for a yearly figure),
``value``, ``unit``, ``status`` (read: read from the publication; derived: computed from read figures;
recalled: remembered, to verify; estimate: a project convention) and ``source`` (a key explained in
data/README.md). Monthly rows without a year are a month profile (a reference year), matched to the
data by calendar month.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from geo import sql
from geo.errors import SeedDataError
from geo.i18n import N_

FILE_NAME = "published_stats.csv"
COLUMNS = ("measure", "segment", "area", "year", "month", "value", "unit", "status", "source")
MEASURES = ("visitors", "guest_arrivals", "occupancy", "rooms", "rooms_hotels", "persons_per_room",
            "population", "area_km2")
SEGMENTS = ("all", "domestic", "international", "resident")
STATUSES = (N_("read"), N_("derived"), N_("recalled"), N_("estimate"))  # marked: shown on the Data page
#: How the Data page names the file's keys (measures, the "all" segment, areas and units) in the reader's
#: language; the file and every query keep the keys.
LABELS: dict[str, str] = {
    "visitors": N_("visitors"), "guest_arrivals": N_("guest arrivals"), "occupancy": N_("room occupancy"),
    "rooms": N_("rooms"), "rooms_hotels": N_("hotel rooms"), "persons_per_room": N_("persons per room"),
    "population": N_("registered population"), "area_km2": N_("area"), "all": N_("all visitors"),
    "city": N_("city"), "province": N_("province"), "guests": N_("guests"), "km2": N_("km²"),
    "persons": N_("persons"), "share of rooms": N_("share of rooms"), "visitor trips": N_("visitor trips"),
}
#: The visitor segment groups the calibration compares (residents are expanded, not calibrated monthly).
VISITOR_GROUPS = ("domestic", "international")


def _fail(path: Path, row: int, reason: str) -> SeedDataError:
    return SeedDataError(f"{path.name}, row {row}: {reason}")


def read_published(path: Path) -> pd.DataFrame:
    """Read and validate ``published_stats.csv``; raise ``SeedDataError`` naming the row and reason."""
    if not path.is_file():
        msg = f"{path.name}: file not found ({path})"
        raise SeedDataError(msg)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            msg = f"{path.name}, row 1: header must be {','.join(COLUMNS)}"
            raise SeedDataError(msg)
        rows = list(reader)
    out = []
    seen: set[tuple] = set()
    for i, r in enumerate(rows, start=2):
        if r["measure"] not in MEASURES:
            raise _fail(path, i, f"measure {r['measure']!r} is not one of {', '.join(MEASURES)}")
        if r["segment"] not in SEGMENTS:
            raise _fail(path, i, f"segment {r['segment']!r} is not one of {', '.join(SEGMENTS)}")
        if r["status"] not in STATUSES:
            raise _fail(path, i, f"status {r['status']!r} is not one of {', '.join(STATUSES)}")
        try:
            value = float(r["value"])
            year = int(r["year"]) if r["year"].strip() else None
            month = int(r["month"]) if r["month"].strip() else None
        except ValueError:
            raise _fail(path, i, "value must be a number, year and month whole numbers or blank") from None
        if not np.isfinite(value) or value < 0:
            raise _fail(path, i, f"value must be a finite number >= 0, got {r['value']!r}")
        if month is not None and not 1 <= month <= 12:
            raise _fail(path, i, f"month must be 1..12 or blank, got {month}")
        if r["measure"] == "occupancy" and value > 1:
            raise _fail(path, i, "occupancy is a share of rooms (0..1), not a percentage")
        if not r["area"].strip() or not r["source"].strip():
            raise _fail(path, i, "area and source must not be empty")
        key = (r["measure"], r["segment"], r["area"], year, month)
        if key in seen:
            raise _fail(path, i, "the same measure, segment, area, year and month appear twice")
        seen.add(key)
        out.append({**r, "value": value, "year": year, "month": month})
    if not out:
        msg = f"{path.name}: no data rows"
        raise SeedDataError(msg)
    df = pd.DataFrame(out, columns=list(COLUMNS))
    df["year"] = df["year"].astype("Int64")
    df["month"] = df["month"].astype("Int64")
    return df


def load_published(con: duckdb.DuckDBPyConnection, seed_dir: Path) -> int:
    """Create ``published_stats`` and fill it from ``seed_dir/published_stats.csv`` (an empty table when the
    file is absent: the estimates then fall back to observed counts, weight 1); returns the rows loaded."""
    sql.execute(con, "schema/create_published_stats")
    path = seed_dir / FILE_NAME
    if not path.is_file():
        return 0
    df = read_published(path)
    con.register("published_rows", df)
    try:
        sql.execute(con, "build/insert_published_stats")
    finally:
        con.unregister("published_rows")
    return len(df)


def monthly_profile(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Share of the year's visitors in each calendar month (12 values adding up to 1) per visitor segment group,
    from the month rows of ``visitors`` (province); groups without twelve month rows are left out."""
    out: dict[str, np.ndarray] = {}
    for group in VISITOR_GROUPS:
        rows = df[(df["measure"] == "visitors") & (df["segment"] == group) & (df["area"] == "province")
                  & df["month"].notna() & df["year"].isna()]
        if len(rows) != 12 or set(rows["month"].astype(int)) != set(range(1, 13)):
            continue
        values = rows.sort_values("month")["value"].to_numpy(float)
        if values.sum() > 0:
            out[group] = values / values.sum()
    return out


def first_value(df: pd.DataFrame, measure: str, *, segment: str = "all", area: str = "province",
                month: int | None = None, year: int | None = None) -> float | None:
    """The value for a measure, segment, area and month (None: the yearly row): of ``year`` when given, else
    of the earliest year (the year the annual visitor total comes from); None when there is no such row."""
    rows = df[(df["measure"] == measure) & (df["segment"] == segment) & (df["area"] == area)]
    rows = rows[rows["month"].isna()] if month is None else rows[rows["month"] == month]
    if year is not None:
        rows = rows[rows["year"] == year]
    if rows.empty:
        return None
    rows = rows.assign(y=pd.to_numeric(rows["year"]).fillna(0)).sort_values("y")
    return float(rows["value"].iloc[0])
