"""Answer one question each from the database: places, zones, provenance (DataFrames in, nothing drawn).

Each function takes a DuckDB connection (or cursor) first and runs one named query with bound values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import duckdb
import pandas as pd

from geo import sql
from geo.catalog import dataset_meta, table_counts


def list_places(
    con: duckdb.DuckDBPyConnection,
    layers: Sequence[str] = (),
    categories: Sequence[str] = (),
) -> pd.DataFrame:
    """Places (id, layer, category, names, lat/lon, zone, rooms, price band, hours); empty filter = all."""
    return sql.fetch_df(con, "app/places", {"layers": list(layers), "categories": list(categories)})


def list_zones(con: duckdb.DuckDBPyConnection, level: str = "tourism_zone") -> pd.DataFrame:
    """Zones of ``level`` with area and GeoJSON geometry text."""
    return sql.fetch_df(con, "app/zones", {"level": level})


def zones_geojson(con: duckdb.DuckDBPyConnection, level: str = "tourism_zone") -> str:
    """Zones of ``level`` as a GeoJSON FeatureCollection string (properties: zone_id, names, area)."""
    zones = list_zones(con, level)
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(rec["geometry"]),
            "properties": {
                "zone_id": rec["zone_id"],
                "name_en": rec["name_en"],
                "name_th": rec["name_th"],
                "area_km2": round(float(rec["area_km2"]), 1),
            },
        }
        for rec in zones.to_dict("records")
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


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
