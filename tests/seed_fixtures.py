"""Tiny hand-built seed files (two zones, six places) for build and loader tests."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from geo.build.seed import PLACE_COLUMNS

# Two square zones side by side around the old city (lon/lat), plus nothing else.
ZONE_A = [[98.975, 18.775], [98.995, 18.775], [98.995, 18.800], [98.975, 18.800], [98.975, 18.775]]
ZONE_B = [[98.995, 18.775], [99.015, 18.775], [99.015, 18.800], [98.995, 18.800], [98.995, 18.775]]

PLACES = [
    # place_id, layer, category, name_en, name_th, lat, lon, rooms, capacity, price, est, open, close, source
    ("att-wat-phra-singh", "attraction", "temple", "Wat Phra Singh", "วัดพระสิงห์", 18.7886, 98.9817,
     "", "800", "", "true", "6", "18", "test"),
    ("att-tha-phae-gate", "attraction", "old_city", "Tha Phae Gate", "ประตูท่าแพ", 18.7877, 98.9933,
     "", "", "", "true", "", "", "test"),
    ("att-night-bazaar", "attraction", "market", "Night Bazaar", "ไนท์บาซาร์", 18.7850, 99.0002,
     "", "3000", "", "true", "18", "24", "test"),
    ("acc-river-hotel", "accommodation", "hotel", "River <b>Hotel</b>", "โรงแรมริมน้ำ", 18.7830, 99.0030,
     "120", "240", "upscale", "true", "", "", "test"),
    ("acc-old-guesthouse", "accommodation", "guesthouse", "Old Town Guesthouse", "เกสต์เฮาส์เมืองเก่า",
     18.7900, 98.9880, "12", "24", "budget", "true", "", "", "test"),
    ("hlt-city-hospital", "health", "hospital", "City Hospital", "โรงพยาบาลเมือง", 18.7920, 99.0050,
     "", "", "", "true", "", "", "test"),
]


def polygon_feature(zone_id: str, ring: list, name_en: str, name_th: str) -> dict:
    """A GeoJSON zone feature with the properties the loader requires."""
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"zone_id": zone_id, "level": "tourism_zone", "name_en": name_en, "name_th": name_th,
                       "approximate": True, "source": "test"},
    }


def write_seed(root: Path, places: list[tuple] | None = None, zones: list[dict] | None = None) -> Path:
    """Write a seed folder (zones.geojson + places/test.csv) under ``root`` and return it."""
    (root / "places").mkdir(parents=True, exist_ok=True)
    zones = zones if zones is not None else [
        polygon_feature("west", ZONE_A, "West", "ตะวันตก"),
        polygon_feature("east", ZONE_B, "East", "ตะวันออก"),
    ]
    (root / "zones.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": zones}, ensure_ascii=False), encoding="utf-8"
    )
    with (root / "places" / "test.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(PLACE_COLUMNS)
        writer.writerows(places if places is not None else PLACES)
    return root
