"""Publish the public file: read the officials' database, count distinct people per unit at fixed grains,
suppress, and write a separate database atomically (temp file, then rename).

The published file holds only ``geo.db.PUBLISHED_TABLES``: the public facts (places, the tourism zones, the
H3 cells, provenance in ``meta``), the calendar of days with data, and one table of floored aggregates per
measure (``pub_*``). No pings, stays, device ids, place visits, presence cube, trips, labels or unfloored
rollups are copied: every published row is computed here and only its counts are written. The ``meta`` row
``publication`` records when and from what the file was published, the floor and the method (JSON in
``params``). docs/privacy.md explains the grains and why differencing views cannot reveal a hidden unit.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from geo import __version__, sql
from geo.db import PUBLISHED_TABLES, connect, require_published
from geo.errors import AtlasError, ConfigError, DataNotBuiltError, PublishError
from geo.i18n import _
from geo.publish import estimates, suppress
from geo.settings import Settings, get_settings
from geo.vocab import DEFAULT_ZONE_LEVEL

#: Tables and views of the officials' database the publisher reads.
SOURCE_TABLES = ("meta", "places", "zones", "cells", "stays", "stays_data", "labels", "visits_hourly",
                 "place_visits", "trips")

#: The published grains, one table per measure (also written into the publication record).
GRAINS: dict[str, str] = {
    "pub_presence": "H3 cell (resolution 8) x month x weekday x hour of day x segment group: people present "
                    "(people-hours); the hidden cells of a tourism zone merged into one row per zone (cell null)",
    "pub_zone_days": "tourism zone (main zone of each person-day) x month x segment group x visitor type: "
                     "person-days",
    "pub_origins": "origin market (province or country) x month: people; small markets merged into "
                   "'<group>:other'",
    "pub_corridors": "tourism zone -> tourism zone x month: trips",
    "pub_place_visits": "place x month: visits and minutes on site",
    "pub_calendar": "month x weekday: days with data (a calendar, no people)",
}

#: What the distinct people were counted from (the publication record's ``counted_from``).
STAYS = "stays"
#: ... or bounded from: an operator's aggregated presence feed (docs/privacy.md, "Aggregated feeds").
AGGREGATED = (
    "aggregated feed: only cell-hours with at least `floor` unique devices of a segment group and visitor type are "
    "summed, into every table alike; people = the unit's largest such cell-hour, a lower bound on distinct people; "
    "origins, corridors and place visits are not published (the feed bounds no number of people for them)"
)

#: How the file was made, in one paragraph (written into the publication record; docs/privacy.md has more).
METHOD = (
    "Fixed grains (months, never free date ranges). Every row of a pub_* table has at least `floor` distinct "
    "people behind it (devices counted at publish time from the stays, visits or moves; device ids are not "
    "published). Primary suppression: a unit below the floor is not published, or is merged into a coarser "
    "unit (hidden cells into the rest of their zone, small origin markets into '<group>:other'), which is "
    "published only when the merged unit reaches the floor. Complementary suppression: where units partition "
    "a total (the zones and visitor types of a month and segment group; the origin markets of a month and group) "
    "the hidden units together hold no one or at least `floor` distinct people, the next smallest unit being "
    "hidden until they do. No total of a measure is published: each measure is in one table, at one grain, "
    "and every figure the public pages show is a sum of published rows, so any difference of two views is "
    "itself a sum of published rows."
)


@dataclass
class PublishReport:
    """A finished publication: the file, its source, the floor, rows per table, what suppression did, seconds."""

    path: Path
    source: Path
    floor: int
    rows: dict[str, int] = field(default_factory=dict)
    suppression: dict[str, suppress.Suppression] = field(default_factory=dict)
    seconds: float = 0.0

    def summary_lines(self) -> list[str]:
        """The CLI's summary: rows per table and the share of each measure published (officials only)."""
        width = max(len(t) for t in self.rows)
        lines = [_("published {path} from {source} with a floor of {floor} people in {seconds} s").format(
            path=self.path, source=self.source.name, floor=self.floor, seconds=f"{self.seconds:.1f}")]
        for table, n in self.rows.items():
            s = self.suppression.get(table)
            note = ""
            if s is not None:
                parts = [_("{share} of the measure published").format(share=f"{s.share_published:.1%}")]
                if s.primary:
                    parts.append(_("{n} units below the floor").format(n=f"{s.primary:,}"))
                if s.complementary:
                    parts.append(_("{n} more hidden to protect them").format(n=f"{s.complementary:,}"))
                note = "  (" + "; ".join(parts) + ")"
            lines.append(f"  {table:<{width}}  {n:>10,}{note}")
        return lines


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _require_source(con: duckdb.DuckDBPyConnection, path: Path) -> set[str]:
    """The source's table names; ``DataNotBuiltError`` when one the publisher reads is missing."""
    present = set(sql.fetch_df(con, "publish/table_names")["name"])
    missing = [t for t in SOURCE_TABLES if t not in present]
    if missing:
        msg = (f"{path} cannot be published: it has no {', '.join(missing)}. Publish an officials' database built "
               "with visitor flows (`make build`); a published file cannot be published again.")
        raise DataNotBuiltError(msg)
    return present


def _arrow(df: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(df, preserve_index=False)


def _with_estimates(table: str, frame: pa.Table, weights: pd.DataFrame) -> pa.Table:
    """``frame`` with its estimate columns appended (computed on its keys and counts only, so the other columns,
    such as 64-bit H3 cells with nulls, never pass through pandas)."""
    counts = [count for _est, count in estimates.ESTIMATE_COLUMNS[table]]
    keys = ["month_start", *(["segment_group"] if "segment_group" in frame.column_names else []), *counts]
    est = estimates.add_estimates(table, frame.select(keys).to_pandas(), weights)
    for column, _count in estimates.ESTIMATE_COLUMNS[table]:
        frame = frame.append_column(column, pa.array(est[column].to_numpy(), type=pa.float64()))
    return frame


def _aggregated_zone_days(con: duckdb.DuckDBPyConnection, floor: int) -> tuple[pd.DataFrame, suppress.Suppression]:
    """Person-days of an aggregated feed (``publish/zone_days_aggregated.sql``) and the share of the measure kept."""
    rows = sql.fetch_df(con, "publish/zone_days_aggregated", {"floor": floor})
    whole = sql.fetch_df(con, "publish/zone_days_aggregated", {"floor": 0})
    total = float(whole["people_days"].sum())
    share = float(rows["people_days"].sum()) / total if total else 1.0
    return rows, suppress.Suppression(len(rows), max(len(whole) - len(rows), 0), 0, share)


def _gather(con: duckdb.DuckDBPyConnection, floor: int, *, with_weights: bool = True,
            ) -> tuple[dict[str, Any], dict[str, suppress.Suppression], pd.DataFrame, str]:
    """Every staged table of the published file, read from the officials' database ``con``, with the estimate
    columns, and the public weights (``geo.publish.estimates``; from ``expansion_weights`` when
    ``with_weights``, else every weight 1), and what the people were counted from (``STAYS`` or ``AGGREGATED``)."""
    kind = sql.fetch_one(con, "publish/source_kind") or {}
    aggregated = bool(kind.get("has_presence")) and not kind.get("has_stays")
    frames: dict[str, Any] = {
        "places": sql.execute(con, "publish/read_places").to_arrow_table(),
        "zones": sql.execute(con, "publish/read_zones", {"level": DEFAULT_ZONE_LEVEL}).to_arrow_table(),
        "cells": sql.execute(con, "publish/read_cells").to_arrow_table(),
        "pub_calendar": sql.execute(con, "publish/calendar").to_arrow_table(),
        "pub_presence": sql.execute(con, "publish/presence_aggregated" if aggregated else "publish/presence",
                                    {"floor": floor}).to_arrow_table(),
        "pub_corridors": sql.execute(con, "publish/corridors", {"floor": floor}).to_arrow_table(),
        "pub_place_visits": sql.execute(con, "publish/place_visits", {"floor": floor}).to_arrow_table(),
    }
    person_days = sql.fetch_df(con, "publish/person_days")
    if aggregated:  # no stays: sums of cell-hours of at least `floor` devices (docs/privacy.md, "Aggregated feeds")
        zone_days, zone_stats = _aggregated_zone_days(con, floor)
    else:
        zone_days, zone_stats = suppress.zone_days(person_days, floor)
    origins, origin_stats = suppress.origins(person_days, floor)
    del person_days  # the only device-level frame: counted, never written
    official = (sql.fetch_df(con, "publish/read_weights") if with_weights
                else pd.DataFrame(columns=["segment_group", "month_start", "coverage", "published", "weight", "method",
                                           "fit_published", "market_share"]))
    weights = estimates.public_weights(official, origins)
    frames["pub_zone_days"] = _arrow(zone_days)
    frames["pub_origins"] = _arrow(origins)
    for table in estimates.ESTIMATE_COLUMNS:
        frames[table] = _with_estimates(table, frames[table], weights)
    totals = sql.fetch_one(con, "publish/source_totals") or {}

    def share(table: str, column: str, total_key: str) -> suppress.Suppression:
        published = frames[table].column(column).to_pylist()
        total = int(totals.get(total_key) or 0)
        return suppress.Suppression(len(published), 0, 0, (sum(published) / total) if total else 1.0)

    stats = {
        "pub_presence": share("pub_presence", "people_hours", "people_hours"),
        "pub_zone_days": zone_stats,
        "pub_origins": origin_stats,
        "pub_corridors": share("pub_corridors", "trips", "trips"),
        "pub_place_visits": share("pub_place_visits", "visits", "visits"),
    }
    return frames, stats, weights, AGGREGATED if aggregated else STAYS


def _check_floor(frames: dict[str, Any], floor: int) -> None:
    """Refuse to write a file with a row below the floor (the queries' own rule, checked once more here)."""
    for table, frame in frames.items():
        if table.startswith("pub_") and "people" in frame.column_names:
            low = [p for p in frame.column("people").to_pylist() if p is None or p < floor]
            if low:
                msg = f"{table} has {len(low)} rows below the floor of {floor} people: nothing was published"
                raise PublishError(msg)


def _record(source: Path, floor: int, con: duckdb.DuckDBPyConnection, frames: dict[str, Any],
            published_at: datetime, weights: pd.DataFrame, counted_from: str) -> pd.DataFrame:
    """The ``meta`` rows of the published file: the kept source rows (no params) and the publication record."""
    kept = sql.fetch_df(con, "publish/read_meta", {"level": DEFAULT_ZONE_LEVEL})
    months = sorted(frames["pub_calendar"].column("month_start").to_pylist())
    params = {
        "published_at": published_at.isoformat() + "Z",
        "floor": floor,
        "method": METHOD,
        "grains": GRAINS,
        "tables": {t: frames[t].num_rows for t in PUBLISHED_TABLES if t in frames},
        "months": [str(months[0]), str(months[-1])] if months else [],
        "source": {
            "file": source.name,
            "sha256": _sha256(source),
            "bytes": source.stat().st_size,
            "datasets": {r["dataset"]: str(r["built_at"]) for r in kept.to_dict("records")},
        },
        "atlas_version": __version__,
        "estimates": estimates.record(weights),
        "counted_from": counted_from,
    }
    simulated = bool(kept["simulated"].any()) if not kept.empty else False
    built = max((str(r["built_at"]) for r in kept.to_dict("records") if r["dataset"] == "flows"), default="")
    publication = {
        "dataset": "publication",
        "simulated": simulated,
        "seed": None,
        "sources": (f"Published by `python -m geo publish` from {source.name}"
                    + (f" (flows built {built[:16]} UTC)" if built else "")
                    + f": aggregates at fixed grains, every row with at least {floor} distinct people "
                      "(docs/privacy.md)."),
        "params": json.dumps(params, sort_keys=True, ensure_ascii=False),
        "built_at": published_at,
        "version": __version__,
    }
    rows = kept.assign(params=None)
    return pd.concat([rows, pd.DataFrame([publication])], ignore_index=True)[
        ["dataset", "simulated", "seed", "sources", "params", "built_at", "version"]]


#: Query that writes each staged table into the published file, in order (schema first, indexes last).
_WRITES = (
    ("zones", "publish/write_zones"),
    ("places", "publish/write_places"),
    ("cells", "publish/write_cells"),
    ("meta", "publish/write_meta"),
    ("pub_calendar", "publish/write_pub_calendar"),
    ("pub_presence", "publish/write_pub_presence"),
    ("pub_zone_days", "publish/write_pub_zone_days"),
    ("pub_origins", "publish/write_pub_origins"),
    ("pub_corridors", "publish/write_pub_corridors"),
    ("pub_place_visits", "publish/write_pub_place_visits"),
)


def _write(tmp: Path, frames: dict[str, Any], settings: Settings) -> None:
    con = connect(tmp, "officials", settings=settings)
    try:
        for name in ("schema/create_meta", "schema/create_zones", "schema/create_places", "schema/create_cells"):
            sql.execute(con, name)
        for table, query in _WRITES:
            con.register("staged_rows", frames[table])
            try:
                sql.execute(con, query)
            finally:
                con.unregister("staged_rows")
        for name in ("schema/create_indexes", "schema/create_places_index", "schema/create_cells_index"):
            sql.execute(con, name)
        con.execute("checkpoint")
    finally:
        con.close()


def publish(
    out: Path | str,
    db: Path | str | None = None,
    *,
    floor: int | None = None,
    settings: Settings | None = None,
) -> PublishReport:
    """Publish the officials' database ``db`` (default ``ATLAS_DB``) as the public file ``out``, atomically.

    ``floor`` (default ``ATLAS_PRIVACY_FLOOR``) is the fewest distinct people behind any published row. On
    any error the previous ``out`` is left byte-identical (``PublishError`` says why).
    """
    settings = settings or get_settings()
    floor = settings.privacy_floor if floor is None else int(floor)
    if floor < 1:
        msg = f"The privacy floor must be at least 1 person, got {floor}"
        raise ConfigError(msg)
    source = Path(db) if db is not None else settings.db_path
    target = Path(out)
    if target.resolve() == source.resolve():
        msg = f"--out {target} is the officials' database itself: publish to a separate file"
        raise ConfigError(msg)
    started = perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    _cleanup(tmp)
    try:
        con = connect(source, "officials", read_only=True, settings=settings)
        try:
            present = _require_source(con, source)
            frames, stats, weights, counted_from = _gather(con, floor, with_weights="expansion_weights" in present)
            published_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
            frames["meta"] = _arrow(_record(source, floor, con, frames, published_at, weights, counted_from))
        finally:
            con.close()
        _check_floor(frames, floor)
        _write(tmp, frames, settings)
        check = connect(tmp, "officials", read_only=True, settings=settings)
        try:
            require_published(check, floor=floor, path=tmp)
        finally:
            check.close()
        os.replace(tmp, target)
    except AtlasError as exc:
        _cleanup(tmp)
        if isinstance(exc, PublishError | ConfigError):
            raise
        msg = f"Publishing failed, {target.name} left unchanged: {exc}"
        raise PublishError(msg) from exc
    except BaseException:
        _cleanup(tmp)
        raise
    return PublishReport(path=target, source=source, floor=floor,
                         rows={t: frames[t].num_rows for t in PUBLISHED_TABLES}, suppression=stats,
                         seconds=perf_counter() - started)


def _cleanup(tmp: Path) -> None:
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)
