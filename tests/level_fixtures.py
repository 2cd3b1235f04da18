"""A second zone level for tests: a few "district" boxes over the city, loaded beside the tourism zones.

``add_level`` loads zones of one level into an open database (as an importer would: rows of ``zones``
with that ``level``) and fills its cell lookup; ``levels_database`` copies a database with flows and adds
``DISTRICTS``, whose boxes overlap (west and east share a strip) and leave a gap (the strip between them
and the south box), and whose names carry payloads, so services, pages and maps meet both.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import shapely

from geo.build import seed, zonelevels
from geo.db import connect

#: zone_id -> (English name, Thai name, (west, south, east, north)) of the test districts.
DISTRICTS: dict[str, tuple[str, str, tuple[float, float, float, float]]] = {
    "d_east": ("East district", "อำเภอตะวันออก", (98.985, 18.770, 99.020, 18.815)),
    "d_south": ("South district", "อำเภอใต้", (98.955, 18.730, 99.020, 18.762)),
    "d_west": (
        "West <img src=x onerror=alert(1)> [x](https://example.invalid/l)",
        "อำเภอตะวันตก",
        (98.955, 18.775, 98.990, 18.815),
    ),
}
LEVEL = "district"


def level_frame(
    level: str, zones: dict[str, tuple[str, str, tuple[float, float, float, float]]]
) -> gpd.GeoDataFrame:
    """Zones of ``level`` (boxes) as ``geo.build.seed.load_zones`` takes them, with areas in km²."""
    gdf = gpd.GeoDataFrame(
        [
            {
                "zone_id": z,
                "level": level,
                "name_en": en,
                "name_th": th,
                "approximate": False,
                "source": "test",
            }
            for z, (en, th, _box) in zones.items()
        ],
        geometry=[shapely.box(*box) for _en, _th, box in zones.values()],
        crs="EPSG:4326",
    )
    gdf["area_km2"] = gdf.to_crs(seed.UTM_47N).area / 1e6
    return gdf


def add_level(con, level: str = LEVEL, zones: dict | None = None, *, refresh: bool = True) -> int:
    """Load ``zones`` (default ``DISTRICTS``) as ``level`` and fill its cell lookup; returns cells assigned."""
    seed.load_zones(con, level_frame(level, zones or DISTRICTS))
    return zonelevels.refresh_cell_zones(con, level) if refresh else 0


def levels_database(source: Path, target: Path) -> Path:
    """A copy of the atlas at ``source`` (with flows) plus the ``DISTRICTS`` level; returns ``target``."""
    shutil.copyfile(source, target)
    con = connect(target, "officials")
    try:
        add_level(con)
        con.execute("checkpoint")
    finally:
        con.close()
    return target
