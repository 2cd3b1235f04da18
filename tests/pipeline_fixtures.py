"""Tiny hand-built worlds (places, zones, H3 cells) and pings for the simulator and pipeline tests.

Loaded through the same code as the real seed: the ``create_*.sql`` schema files and
``geo.seed.load_zones`` / ``load_places`` / ``load_cells`` (registered frames + ``insert_*.sql``).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import geopandas as gpd
import pandas as pd
import pyarrow as pa
import shapely

from geo import sql
from geo.build import seed
from geo.db import connect

SCHEMA = ("schema/create_meta", "schema/create_zones", "schema/create_places", "schema/create_cells")

# -- a small Chiang Mai for the simulator: every category it draws from, the three day-trip zones --

#: zone_id -> (west, south, east, north)
SIM_ZONES = {
    "city": (98.950, 18.750, 99.030, 18.820),
    "doi_suthep_pui": (98.860, 18.780, 98.935, 18.835),
    "mae_rim": (98.850, 18.880, 98.950, 18.950),
    "doi_inthanon_chom_thong": (98.450, 18.500, 98.600, 18.620),
}

# place_id, category, lon, lat, capacity, rooms, price_band, open_hour, close_hour
SIM_PLACES = [
    ("att-temple-singh", "temple", 98.9814, 18.7886, 800, None, None, 6, 18),
    ("att-temple-chedi", "temple", 98.9869, 18.7870, 1000, None, None, 6, 18),
    ("att-temple-chiang-man", "temple", 98.9930, 18.7940, 300, None, None, 6, 18),
    ("att-night-bazaar", "market", 99.0004, 18.7848, 4000, None, None, 18, 24),
    ("att-walking-street", "market", 98.9880, 18.7882, 3000, None, None, 16, 23),
    ("att-day-market", "market", 99.0005, 18.7902, 1500, None, None, 6, 18),
    ("att-museum", "museum", 98.9875, 18.7905, 300, None, None, 9, 17),
    ("att-nimman", "cafe_lifestyle", 98.9680, 18.8000, 2000, None, None, 10, 22),
    ("att-tha-phae-gate", "old_city", 98.9933, 18.7877, 500, None, None, None, None),
    ("att-khantoke", "cultural_show", 98.9800, 18.7719, 500, None, None, 18, 22),
    ("att-bo-sang", "craft_village", 99.0200, 18.7700, 400, None, None, 9, 17),
    ("att-viewpoint", "viewpoint", 98.9200, 18.8100, 300, None, None, 5, 19),
    ("hlt-spa", "spa", 98.9826, 18.7862, 30, None, None, 10, 22),
    ("hlt-hospital", "hospital", 98.9741, 18.7903, 1400, None, None, None, None),
    ("att-doi-suthep", "temple", 98.8920, 18.8049, 3000, None, None, 6, 18),
    ("att-doi-pui", "nature", 98.8880, 18.8200, 500, None, None, 8, 17),
    ("att-mae-sa", "waterfall", 98.8960, 18.9060, 1000, None, None, 8, 17),
    ("att-botanic", "nature", 98.8650, 18.8950, 800, None, None, 8, 17),
    ("att-inthanon-summit", "nature", 98.4870, 18.5880, 2000, None, None, 5, 18),
    ("att-wachirathan", "waterfall", 98.5400, 18.5420, 1000, None, None, 8, 17),
    ("acc-hostel", "hostel", 98.9900, 18.7900, 40, 20, "budget", None, None),
    ("acc-guesthouse", "guesthouse", 98.9850, 18.7920, 24, 12, "budget", None, None),
    ("acc-mid-old-city", "hotel", 98.9950, 18.7850, 160, 80, "mid", None, None),
    ("acc-mid-nimman", "hotel", 98.9700, 18.7980, 240, 120, "mid", None, None),
    ("acc-riverside", "hotel", 99.0030, 18.7830, 400, 200, "upscale", None, None),
    ("acc-resort", "resort", 99.0250, 18.7815, 240, 120, "luxury", None, None),
    ("trn-airport", "airport", 98.9626, 18.7669, 3000, None, None, None, None),
    ("trn-bus-terminal", "bus_terminal", 99.0153, 18.8028, 800, None, None, None, None),
    ("trn-railway", "railway_station", 99.0176, 18.7848, 500, None, None, 4, 22),
]

_LAYER = {"att": "attraction", "acc": "accommodation", "hlt": "health", "trn": "transport"}


def box(west: float, south: float, east: float, north: float) -> shapely.Polygon:
    """A lon/lat rectangle."""
    return shapely.box(west, south, east, north)


def zones_frame(zones: dict[str, tuple[float, float, float, float]]) -> gpd.GeoDataFrame:
    """Zones as ``geo.seed.read_zones_geojson`` returns them (tourism zones, areas in km²)."""
    gdf = gpd.GeoDataFrame(
        {
            "zone_id": list(zones),
            "level": "tourism_zone",
            "name_en": [z.replace("_", " ").title() for z in zones],
            "name_th": "เขตทดสอบ",
            "approximate": True,
            "source": "test",
        },
        geometry=[box(*b) for b in zones.values()],
        crs="EPSG:4326",
    )
    gdf["area_km2"] = gdf.to_crs(seed.UTM_47N).area / 1e6
    return gdf


def places_frame(rows: list[tuple]) -> pd.DataFrame:
    """Places as ``geo.seed.read_places`` returns them."""
    records = []
    for pid, category, lon, lat, capacity, rooms, band, open_h, close_h in rows:
        records.append({
            "place_id": pid, "layer": _LAYER[pid[:3]], "category": category, "name_en": pid,
            "name_th": "สถานที่ทดสอบ", "lon": lon, "lat": lat, "rooms": rooms, "capacity": capacity,
            "price_band": band, "estimated": True, "open_hour": open_h, "close_hour": close_h, "source": "test",
        })
    df = pd.DataFrame.from_records(records)
    for col in ("rooms", "capacity", "open_hour", "close_hour"):
        df[col] = df[col].astype("Int64")
    return df


def load_world(
    con: duckdb.DuckDBPyConnection,
    places: list[tuple],
    zones: dict[str, tuple[float, float, float, float]],
    *,
    cell_zones: list[str] | None = None,
) -> None:
    """Create the base schema and load ``zones``, ``places`` and the H3 cells of ``cell_zones`` (all)."""
    for name in SCHEMA:
        sql.execute(con, name)
    gdf = zones_frame(zones)
    seed.load_zones(con, gdf)
    seed.load_places(con, places_frame(places))
    keep = gdf if cell_zones is None else gdf[gdf["zone_id"].isin(cell_zones)]
    seed.load_cells(con, keep)


def sim_world() -> duckdb.DuckDBPyConnection:
    """In-memory database with the small simulator world loaded."""
    con = connect(":memory:")
    load_world(con, SIM_PLACES, SIM_ZONES)
    return con


# -- hand-built pings for exact pipeline tests --

#: west and east zones share the meridian 98.995; ``north`` has no cells (exact zone fallback).
PIPE_ZONES = {
    "west": (98.960, 18.770, 98.995, 18.810),
    "east": (98.995, 18.770, 99.030, 18.810),
    "north": (98.960, 18.850, 99.030, 18.880),
}
PIPE_CELL_ZONES = ["west", "east"]

#: the point two places are equally near (0.001° of longitude ≈ 105 m on either side)
TIE_POINT = (98.9850, 18.8000)

PIPE_PLACES = [
    ("att-temple", "temple", 98.9750, 18.7900, 800, None, None, 6, 18),
    ("att-gate", "old_city", 98.9800, 18.7850, 500, None, None, None, None),
    ("att-tie-b", "museum", TIE_POINT[0] + 0.001, TIE_POINT[1], 100, None, None, None, None),
    ("att-tie-a", "museum", TIE_POINT[0] - 0.001, TIE_POINT[1], 100, None, None, None, None),
    ("att-market", "market", 99.0100, 18.7850, 3000, None, None, 18, 24),
    ("acc-hotel", "hotel", 99.0150, 18.7900, 200, 100, "mid", None, None),
    ("att-north-view", "viewpoint", 98.9900, 18.8650, 100, None, None, None, None),
]


def pipe_world() -> duckdb.DuckDBPyConnection:
    """In-memory database with the hand-built pipeline world (three zones, seven places) loaded."""
    con = connect(":memory:")
    load_world(con, PIPE_PLACES, PIPE_ZONES, cell_zones=PIPE_CELL_ZONES)
    return con


def place_point(place_id: str) -> tuple[float, float]:
    """(lon, lat) of a pipeline-world place."""
    row = next(r for r in PIPE_PLACES if r[0] == place_id)
    return row[2], row[3]


def load_pings(con: duckdb.DuckDBPyConnection, rows: list[tuple[int, str, float, float, str]]) -> None:
    """Create ``pings`` and insert (device, 'YYYY-MM-DD HH:MM:SS', lon, lat, segment) rows."""
    sql.execute(con, "schema/create_pings")
    table = pa.table({
        "device": pa.array([r[0] for r in rows], pa.uint64()),
        "ts": pa.array([datetime.fromisoformat(r[1]) for r in rows], pa.timestamp("us")),
        "lon": pa.array([r[2] for r in rows], pa.float64()),
        "lat": pa.array([r[3] for r in rows], pa.float64()),
        "segment": pa.array([r[4] for r in rows], pa.string()),
    })
    con.register("pings_chunk", table)
    try:
        sql.execute(con, "build/insert_pings")
    finally:
        con.unregister("pings_chunk")
