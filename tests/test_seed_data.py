"""Data tests on the embedded Chiang Mai seed files (unique ids, inside the province, names, categories)."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import shape

from geo.build.seed import read_places, read_zones_geojson
from geo.settings import ROOT
from geo.vocab import CATEGORIES

SEED = ROOT / "data" / "seed"
REQUIRED_ZONES = {
    "old_city", "nimman", "night_bazaar_riverside", "doi_suthep_pui", "mae_rim", "mae_taeng",
    "san_kamphaeng_bo_sang", "hang_dong", "doi_inthanon_chom_thong", "airport", "rest_of_province",
}


@pytest.fixture(scope="module")
def places():
    return read_places(sorted((SEED / "places").glob("*.csv")))


@pytest.fixture(scope="module")
def zones():
    return read_zones_geojson(SEED / "zones.geojson")


@pytest.fixture(scope="module")
def province():
    doc = json.loads((SEED / "province.geojson").read_text(encoding="utf-8"))
    return shape(doc["features"][0]["geometry"])


def test_enough_real_places_per_layer(places) -> None:
    assert len(places) >= 200
    attractions = places[places["layer"] == "attraction"]
    assert len(attractions) >= 100
    assert attractions["category"].nunique() >= 8
    assert (places["layer"] == "accommodation").sum() >= 80
    assert {"hospital", "spa"} <= set(places.loc[places["layer"] == "health", "category"])
    assert {"airport", "bus_terminal", "railway_station"} <= set(places.loc[places["layer"] == "transport", "category"])


def test_ids_unique_and_prefixed(places) -> None:
    assert places["place_id"].is_unique
    prefix = {"attraction": "att-", "accommodation": "acc-", "health": "hlt-", "transport": "trn-"}
    assert all(pid.startswith(prefix[layer]) for pid, layer in zip(places["place_id"], places["layer"], strict=True))


def test_names_and_categories(places) -> None:
    assert places["name_en"].str.len().min() > 0
    assert places["name_th"].str.contains(r"[\u0E00-\u0E7F]").all()
    for layer, category in zip(places["layer"], places["category"], strict=True):
        assert category in CATEGORIES[layer]


def test_every_place_inside_the_province(places, province) -> None:
    points = shapely.points(places["lon"].to_numpy(), places["lat"].to_numpy())
    outside = places.loc[~shapely.contains(province, points), "place_id"].tolist()
    assert outside == []


def test_no_two_places_share_coordinates(places) -> None:
    dup = places[places.duplicated(["lat", "lon"], keep=False)]
    assert dup.empty, dup["place_id"].tolist()


def test_accommodation_has_rooms_and_price_and_estimates_are_flagged(places) -> None:
    acc = places[places["layer"] == "accommodation"]
    assert acc["rooms"].notna().all() and acc["price_band"].notna().all()
    assert places["estimated"].dtype == bool


def test_zones_complete_valid_and_disjoint(zones, province) -> None:
    assert set(zones["zone_id"]) == REQUIRED_ZONES
    assert zones.geometry.is_valid.all()
    assert (zones["approximate"]).all()
    geoms = list(zones.geometry)
    for i, a in enumerate(geoms):
        for b in geoms[i + 1:]:
            assert a.intersection(b).area < 1e-9
    union = shapely.union_all(geoms)
    assert abs(union.area - province.area) / province.area < 1e-6


@pytest.mark.parametrize(
    ("lon", "lat", "zone_id"),
    [
        (98.9817, 18.7886, "old_city"),  # Wat Phra Singh
        (99.0002, 18.7850, "night_bazaar_riverside"),  # Night Bazaar
        (98.9216, 18.8048, "doi_suthep_pui"),  # Wat Phra That Doi Suthep
        (98.9626, 18.7669, "airport"),  # airport terminal
        (98.4866, 18.5884, "doi_inthanon_chom_thong"),  # Doi Inthanon summit
    ],
)
def test_landmarks_fall_in_their_zone(zones, lon, lat, zone_id) -> None:
    pt = shapely.Point(lon, lat)
    hits = zones.loc[zones.geometry.contains(pt), "zone_id"].tolist()
    assert hits == [zone_id]
