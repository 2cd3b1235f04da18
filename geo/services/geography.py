"""The reference geography: places and zones (with their GeoJSON), one named query each.

Each function takes a DuckDB connection (or cursor) first and runs one named query with bound values.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import duckdb
import pandas as pd

from geo import sql


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
