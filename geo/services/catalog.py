"""Describe what a database holds: tables with row counts, dataset provenance and the data's date range."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from geo import sql
from geo.i18n import N_


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every known atlas table present in the database (in ``geo.sql.TABLES`` order)."""
    present = set(sql.fetch_df(con, "app/table_names")["table_name"])
    counts: dict[str, int] = {}
    for table in sql.TABLES:
        if table in present:
            row = sql.fetch_one(con, "app/table_count", idents={"table": table})
            counts[table] = int(row["n"]) if row else 0
    return counts


def dataset_meta(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per dataset: simulated flag, seed, sources, parameters, build time, version."""
    return sql.fetch_df(con, "app/meta")


def describe(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """``{"tables": {...}, "meta": {dataset: {...}}}`` — the JSON shape of ``python -m geo info --json``."""
    meta: dict[str, Any] = {}
    for rec in dataset_meta(con).to_dict("records"):
        params = rec.get("params")
        meta[rec["dataset"]] = {
            "simulated": bool(rec["simulated"]),
            "seed": None if pd.isna(rec["seed"]) else int(rec["seed"]),
            "sources": rec["sources"],
            "params": json.loads(params) if isinstance(params, str) and params else {},  # null in a published file
            "built_at": str(rec["built_at"]),
            "version": rec["version"],
        }
    return {"tables": table_counts(con), "meta": meta}


def provenance(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Datasets in the database with their simulated flag, seed, sources and build time."""
    return dataset_meta(con)


def is_simulated(con: duckdb.DuckDBPyConnection) -> bool:
    """True when any dataset in the database is simulated (every page then shows the label)."""
    meta = dataset_meta(con)
    return bool(meta["simulated"].any()) if not meta.empty else False


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts per atlas table."""
    return table_counts(con)


def date_bounds(con: duckdb.DuckDBPyConnection) -> tuple:
    """First and last day with visitor presence data (``visits_hourly`` must exist)."""
    row = sql.fetch_one(con, "app/date_bounds")
    return (row["first_day"], row["last_day"])


#: The kinds of data the atlas distinguishes in its labels (banner, Data page, exports).
DATA_KINDS = (N_("real"), N_("approximate"), N_("simulated"), N_("estimate"))
#: Parts ``data_kinds`` names itself (English source texts; the Data page translates every cell it can).
DATA_PARTS = (N_("estimated people"), N_("visitor flows"), N_("tourism zones"), N_("province outline"),
              N_("H3 cells"))
#: Why the tourism zones are approximate (``data_kinds``).
ZONES_DETAIL = N_("drawn by the project from landmarks, not an official boundary (data/seed/zones.geojson)")


def data_kinds(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """What each part of the database is: real (with its source), approximate (project-drawn zones and the
    province outline), simulated (the simulator's flows) or estimate (modelled figures).

    Columns: part (what it is), kind (one of ``DATA_KINDS``), detail (source or why). The province outline's
    area is stated beside the official area (from the zones' build parameters) when recorded.
    """
    rows: list[dict[str, str]] = []
    for rec in dataset_meta(con).to_dict("records"):
        name = str(rec["dataset"])
        params = rec.get("params")
        extra = json.loads(params) if isinstance(params, str) and params else {}
        if name == "estimates":
            rows.append({"part": "estimated people", "kind": "estimate", "detail": str(rec["sources"])})
        elif bool(rec["simulated"]):
            rows.append({"part": f"visitor {name}" if name == "flows" else name, "kind": "simulated",
                         "detail": str(rec["sources"])})
        elif name == "zones":
            rows.append({"part": "tourism zones", "kind": "approximate",
                         "detail": ZONES_DETAIL})
            if "province_outline_km2" in extra:
                rows.append({"part": "province outline", "kind": "approximate",
                             "detail": f"drawn by the project: {extra['province_outline_km2']:,.0f} km² against the "
                                       f"official {extra['official_province_km2']:,.0f} km² "
                                       f"({extra['outline_vs_official']:+.0%})"})
            elif found := re.search(r"province outline ([\d,]+ km² against the official [\d,]+ km²)",
                                    str(rec["sources"])):  # a published file keeps sources, not params
                rows.append({"part": "province outline", "kind": "approximate",
                             "detail": f"drawn by the project: {found.group(1)}"})
        elif name == "cells":
            rows.append({"part": "H3 cells", "kind": "real", "detail": str(rec["sources"])})
        else:
            rows.append({"part": name, "kind": "real", "detail": str(rec["sources"])})
    return pd.DataFrame(rows, columns=["part", "kind", "detail"])


@dataclass(frozen=True)
class AggregatedFeeds:
    """What came in as an operator's aggregated tables (``python -m geo import --layer visits|trips``).

    ``presence_by``: ``cell`` or ``zone`` when the presence cube was imported (else None); ``approximations``:
    the keys of the approximations the rollups then use (``geo.ingest.aggregates.APPROXIMATIONS``:
    ``people_days``, ``place_visits``, ``visitor_type``, ``zone_spread``), which pages state.
    """

    presence_by: str | None = None
    presence_level: str | None = None
    trips: bool = False
    approximations: tuple[str, ...] = ()

    @property
    def presence(self) -> bool:
        """True when presence comes from an imported aggregated feed (no device-level tables)."""
        return self.presence_by is not None


def aggregated_feeds(con: duckdb.DuckDBPyConnection) -> AggregatedFeeds:
    """Which flow tables were imported as aggregates, read from ``meta`` (datasets ``presence`` and ``trips``)."""
    meta = dataset_meta(con)
    found: dict[str, dict[str, Any]] = {}
    for rec in meta.to_dict("records"):
        if rec["dataset"] in ("presence", "trips") and not rec["simulated"]:
            params = rec.get("params")
            found[rec["dataset"]] = json.loads(params) if isinstance(params, str) and params else {}
    presence = found.get("presence")
    if presence is None:
        return AggregatedFeeds(trips="trips" in found)
    return AggregatedFeeds(presence_by=str(presence.get("by") or "cell"), presence_level=presence.get("level"),
                           trips="trips" in found,
                           approximations=tuple(sorted((presence.get("approximations") or {}).keys())))
