"""Seed validation: every bad input is refused with the file, row and reason."""

from __future__ import annotations

import json

import pytest

from geo.build.seed import read_places_csv, read_zones_geojson
from geo.errors import SeedDataError
from tests.seed_fixtures import PLACES, ZONE_A, polygon_feature, write_seed


def _places_with(tmp_path, row):
    seed = write_seed(tmp_path / "s", places=[*PLACES, row])
    return seed / "places" / "test.csv"


def _row(**over):
    base = dict(zip(
        ("place_id", "layer", "category", "name_en", "name_th", "lat", "lon", "rooms", "capacity", "price_band",
         "estimated", "open_hour", "close_hour", "source"),
        ("att-x", "attraction", "temple", "X", "วัดเอ็กซ์", 18.79, 98.98, "", "", "", "true", "", "", "test"),
        strict=True,
    ))
    base.update(over)
    return tuple(base.values())


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"lat": 98.98, "lon": 18.79}, "look swapped"),
        ({"lat": 13.75, "lon": 100.5}, "outside Chiang Mai province"),
        ({"lat": "abc"}, "must be numbers"),
        ({"category": "casino"}, "category 'casino' is not allowed"),
        ({"layer": "nightclub"}, "layer 'nightclub'"),
        ({"name_th": "Wat X"}, "Thai script"),
        ({"name_en": ""}, "name_en is empty"),
        ({"place_id": "Bad Id"}, "place_id"),
        ({"estimated": "maybe"}, "estimated must be"),
        ({"open_hour": "25"}, "open_hour must be between"),
        ({"layer": "accommodation", "category": "hotel", "price_band": "mid"}, "needs rooms"),
    ],
)
def test_bad_place_rows_name_the_row_and_reason(tmp_path, override, reason) -> None:
    path = _places_with(tmp_path, _row(**override))
    with pytest.raises(SeedDataError, match=reason) as info:
        read_places_csv(path)
    assert f"row {len(PLACES) + 2}" in str(info.value)


def test_bad_files_are_refused(tmp_path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(SeedDataError, match="empty"):
        read_places_csv(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("place_id\ncaf\xe9\n".encode("latin-1"))
    with pytest.raises(SeedDataError, match="not UTF-8"):
        read_places_csv(latin)
    header = tmp_path / "header.csv"
    header.write_text("id,name\n1,a\n", encoding="utf-8")
    with pytest.raises(SeedDataError, match="header must be"):
        read_places_csv(header)


def _zones_file(tmp_path, features, **extra):
    path = tmp_path / "zones.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features, **extra}), encoding="utf-8")
    return path


def test_bad_zone_geometries_are_refused(tmp_path) -> None:
    unclosed = polygon_feature("a", ZONE_A[:-1], "A", "เอ")
    with pytest.raises(SeedDataError, match="not closed"):
        read_zones_geojson(_zones_file(tmp_path, [unclosed]))
    short = polygon_feature("a", [ZONE_A[0], ZONE_A[1], ZONE_A[0]], "A", "เอ")
    with pytest.raises(SeedDataError, match="at least 4"):
        read_zones_geojson(_zones_file(tmp_path, [short]))
    bowtie = polygon_feature("a", [[98.97, 18.77], [98.99, 18.79], [98.99, 18.77], [98.97, 18.79], [98.97, 18.77]],
                             "A", "เอ")
    with pytest.raises(SeedDataError, match="invalid geometry"):
        read_zones_geojson(_zones_file(tmp_path, [bowtie]))
    swapped = polygon_feature("a", [[y, x] for x, y in ZONE_A], "A", "เอ")
    with pytest.raises(SeedDataError, match=r"\(lat, lon\)"):
        read_zones_geojson(_zones_file(tmp_path, [swapped]))
    strings = polygon_feature("a", [[str(x), str(y)] for x, y in ZONE_A], "A", "เอ")
    with pytest.raises(SeedDataError, match="not two numbers"):
        read_zones_geojson(_zones_file(tmp_path, [strings]))
    utm = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32647"}}
    with pytest.raises(SeedDataError, match="not WGS84"):
        read_zones_geojson(_zones_file(tmp_path, [polygon_feature("a", ZONE_A, "A", "เอ")], crs=utm))
    with pytest.raises(SeedDataError, match="no features"):
        read_zones_geojson(_zones_file(tmp_path, []))
    dup = polygon_feature("a", ZONE_A, "A", "เอ")
    with pytest.raises(SeedDataError, match="repeats"):
        read_zones_geojson(_zones_file(tmp_path, [dup, dup]))


def test_valid_zone_gets_area(tmp_path) -> None:
    zones = read_zones_geojson(_zones_file(tmp_path, [polygon_feature("a", ZONE_A, "A", "เอ")]))
    # 0.02° lon × 0.025° lat at 18.8°N ≈ 2.107 km × 2.765 km
    assert zones.loc[0, "area_km2"] == pytest.approx(5.83, abs=0.05)
