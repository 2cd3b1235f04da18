"""A tiny officials' database built from hand-written stays, for the publisher's exact tests (its zones file,
places and stays frame serve tests/test_presence.py's city too).

Two 2 km zones side by side east of the old city (``za``, ``zb``), their H3 cells, two places; stays given as
(device, start, end, cell, zone, segment, visitor_type), then the pipeline's own SQL steps for the presence cube
and the trips, so the publisher reads what a build would have written.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import h3
import pandas as pd

from geo import sql
from geo.build import seed
from geo.build.pipeline import load_outputs
from geo.db import connect

ZONES = {
    "za": ("Zone A", (98.97, 18.78, 98.99, 18.80)),
    "zb": ("Zone B", (98.99, 18.78, 99.01, 18.80)),
}
#: Three cells of zone A (centres inside it, at least one cell apart) and one of zone B.
CELL_A = int(h3.latlng_to_cell(18.790, 98.980, 8), 16)
CELL_A2 = int(h3.latlng_to_cell(18.784, 98.977, 8), 16)
CELL_A3 = int(h3.latlng_to_cell(18.797, 98.987, 8), 16)
CELL_B = int(h3.latlng_to_cell(18.790, 99.000, 8), 16)

T = datetime.fromisoformat


def zones_file(path: Path, zones: dict[str, tuple[str, tuple[float, float, float, float]]] = ZONES) -> Path:
    """A GeoJSON file of rectangular tourism zones: ``{zone_id: (English name, (x0, y0, x1, y1))}``."""
    features = [
        {
            "type": "Feature",
            "properties": {"zone_id": zid, "name_en": name, "name_th": "เขตทดสอบ", "level": "tourism_zone"},
            "geometry": {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]},
        }
        for zid, (name, (x0, y0, x1, y1)) in zones.items()
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def places() -> pd.DataFrame:
    """Two attractions: a temple in zone A and a market in zone B."""
    base = {"rooms": None, "capacity": None, "price_band": None, "estimated": False,
            "open_hour": None, "close_hour": None, "source": "test"}
    return pd.DataFrame([
        {**base, "place_id": "p_temple", "layer": "attraction", "category": "temple",
         "name_en": "Test Temple", "name_th": "วัดทดสอบ", "lon": 98.981, "lat": 18.791},
        {**base, "place_id": "p_market", "layer": "attraction", "category": "market",
         "name_en": "Test Market", "name_th": "ตลาดทดสอบ", "lon": 99.001, "lat": 18.791},
    ])


def stays_frame(rows: list[tuple]) -> pd.DataFrame:
    """Stays from (device, start, end, cell, zone, segment, visitor_type) rows."""
    stays = pd.DataFrame({
        "device": pd.Series([r[0] for r in rows], dtype="uint64"),
        "stay_start": [T(r[1]) for r in rows],
        "stay_end": [T(r[2]) for r in rows],
        "lon": 98.98, "lat": 18.79,
        "cell": pd.Series([r[3] for r in rows], dtype="uint64"),
        "zone_id": [r[4] for r in rows],
        "place_id": None,
        "segment": [r[5] for r in rows],
        "visitor_type": [r[6] for r in rows],
        "n_pings": pd.Series([3] * len(rows), dtype="int32"),
        "dwell_minutes": [(T(r[2]) - T(r[1])).total_seconds() / 60 for r in rows],
    })
    stays["place_distance_m"] = None
    return stays


def tiny_atlas(path: Path, stays: list[tuple]) -> Path:
    """An officials' database at ``path`` with the two zones, their cells, two places and ``stays``; the
    presence cube and the trips computed by the pipeline's SQL steps (no place visits)."""
    con = connect(path)
    try:
        zones = seed.read_zones_geojson(zones_file(path.with_suffix(".geojson")))
        for name in ("schema/create_meta", "schema/create_zones", "schema/create_places", "schema/create_cells"):
            sql.execute(con, name)
        seed.load_zones(con, zones)
        seed.load_cells(con, zones)
        seed.load_places(con, places())
        load_outputs(con, {"stays": stays_frame(stays)})
        sql.execute(con, "build/insert_visits_hourly")
        sql.execute(con, "build/insert_trips")
        con.execute("checkpoint")
    finally:
        con.close()
    return path
