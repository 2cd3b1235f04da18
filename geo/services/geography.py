"""The reference geography: places, zones (with their GeoJSON) and zone levels loaded, one named query each.

Each function takes a DuckDB connection (or cursor) first and runs one named query with bound values.
A zone level is the set of zones with one ``level`` value: the project's tourism zones or an imported
boundary file; ``check_zone_level`` is the one validation of a level every level-aware service runs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import duckdb
import pandas as pd

from geo import sql
from geo.errors import DataNotBuiltError, FilterError
from geo.i18n import _
from geo.services._require import present_tables
from geo.vocab import DEFAULT_ZONE_LEVEL


def list_places(
    con: duckdb.DuckDBPyConnection,
    layers: Sequence[str] = (),
    categories: Sequence[str] = (),
) -> pd.DataFrame:
    """Places (id, layer, category, names, lat/lon, zone, rooms, price band, hours); empty filter = all."""
    return sql.fetch_df(con, "app/places", {"layers": list(layers), "categories": list(categories)})


def zone_levels(con: duckdb.DuckDBPyConnection) -> tuple[str, ...]:
    """Every zone level loaded in the database: the tourism zones first (when loaded), then the others."""
    levels = sql.fetch_df(con, "app/zone_levels", {"default_level": DEFAULT_ZONE_LEVEL})["level"]
    return tuple(str(v) for v in levels)


def check_zone_level(con: duckdb.DuckDBPyConnection, level: str) -> str:
    """``level`` when it is loaded and has its cell lookup; else an error a user can act on.

    ``FilterError`` names the loaded levels when ``level`` is not one of them; ``DataNotBuiltError`` says
    what to do when the level's zones are loaded but its cell -> zone lookup (``cell_zones``) is not.
    """
    levels = zone_levels(con)
    if level not in levels:
        msg = _("Unknown zone level {level!r}: the loaded levels are {levels}.").format(
            level=level, levels=", ".join(levels) or _("none"))
        raise FilterError(msg)
    cells = 0
    if "cell_zones" in present_tables(con):
        row = sql.fetch_one(con, "app/zone_level_cells", {"level": level}) or {}
        cells = int(row.get("cells") or 0)
    if cells == 0:
        msg = _("Zone level {level!r} has no cell lookup yet (or none of its zones holds an H3 cell centre of the "
                "atlas), so it cannot be summarised. Import its boundary file again, or rebuild the database with "
                "`make build` when it predates zone levels.").format(level=level)
        raise DataNotBuiltError(msg)
    return level


def list_zones(con: duckdb.DuckDBPyConnection, level: str = DEFAULT_ZONE_LEVEL) -> pd.DataFrame:
    """Zones of ``level`` with area and GeoJSON geometry text."""
    return sql.fetch_df(con, "app/zones", {"level": level})


def zones_geojson(con: duckdb.DuckDBPyConnection, level: str = DEFAULT_ZONE_LEVEL) -> str:
    """Zones of ``level`` as a GeoJSON FeatureCollection string (properties: zone_id, names, area).

    The collection carries the level as a foreign member ``"level"``, so a map names its zones layer.
    """
    zones = list_zones(con, level)
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(rec["geometry"]),
            "properties": {
                "zone_id": rec["zone_id"],
                "name_en": rec["name_en"],
                "name_th": rec["name_th"],
                "name_zh": None if pd.isna(rec.get("name_zh")) else rec.get("name_zh"),
                "area_km2": round(float(rec["area_km2"]), 1),
            },
        }
        for rec in zones.to_dict("records")
    ]
    return json.dumps({"type": "FeatureCollection", "level": level, "features": features}, ensure_ascii=False)
