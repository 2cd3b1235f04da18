"""bench.zoning: the grid lookup equals the exact point-in-polygon answer, edges and ties included."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from bench import zoning
from bench.zoning import OUTSIDE, ZoningError, assign_codes, assign_zones, build_zone_index
from geo.db import connect
from geo.settings import ROOT

SEED_ZONES = ROOT / "data" / "seed" / "zones.geojson"


def reference_codes(zone_ids: list[str], geoms: list, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Brute force: closed polygons, the smallest zone_id among those covering a point; -1 if none."""
    order = sorted(range(len(zone_ids)), key=zone_ids.__getitem__)
    codes = np.full(len(lon), OUTSIDE, dtype=np.int32)
    for code, i in enumerate(order):
        hit = shapely.intersects_xy(geoms[i], lon, lat) & (codes == OUTSIDE)
        codes[hit] = code
    return codes


def ids(index: zoning.ZoneIndex, lon: np.ndarray, lat: np.ndarray) -> list[str | None]:
    """Zone ids as a plain list, ``None`` for no zone."""
    return [None if pd.isna(v) else v for v in assign_zones(index, lon, lat)]


@pytest.fixture(scope="module")
def seed_zones() -> gpd.GeoDataFrame:
    return gpd.read_file(SEED_ZONES)


@pytest.fixture(scope="module")
def seed_index(seed_zones: gpd.GeoDataFrame) -> zoning.ZoneIndex:
    return zoning.zone_index_from_frame(seed_zones)


# --- hand-built zones: edges, ties, outside ---------------------------------------------------


def two_squares() -> zoning.ZoneIndex:
    # "west" on the left, "east" on the right, sharing the edge x = 99.0; ids given west first.
    return build_zone_index(["west", "east"], [box(98.9, 18.7, 99.0, 18.8), box(99.0, 18.7, 99.1, 18.8)])


def test_points_inside_each_zone_get_that_zone() -> None:
    index = two_squares()
    assert ids(index, np.array([98.95, 99.05]), np.array([18.75, 18.75])) == ["west", "east"]


def test_point_on_shared_edge_goes_to_smallest_zone_id() -> None:
    index = two_squares()
    lon = np.array([99.0, 99.0, 99.0, 99.0])
    lat = np.array([18.7, 18.71234567, 18.75, 18.8])  # corners and interior points of the shared edge
    assert ids(index, lon, lat) == ["east"] * 4  # "east" < "west", whatever the input order


def test_point_on_outer_edge_belongs_to_its_zone() -> None:
    index = two_squares()
    lon = np.array([98.9, 99.1, 98.95, 99.05])
    lat = np.array([18.75, 18.75, 18.8, 18.7])
    assert ids(index, lon, lat) == ["west", "east", "west", "east"]


def test_points_outside_every_zone_and_nan_get_no_zone() -> None:
    index = two_squares()
    lon = np.array([98.8999999, 99.1000001, 98.95, np.nan, 98.95, -180.0, 1e300, np.inf])
    lat = np.array([18.75, 18.75, 18.8000001, 18.75, np.nan, 18.75, 18.75, 18.75])
    codes = assign_codes(index, lon, lat)
    assert codes.tolist() == [OUTSIDE] * 8
    assert assign_zones(index, lon, lat).isna().all()


def test_overlapping_zones_give_the_overlap_to_smallest_zone_id() -> None:
    index = build_zone_index(["b_big", "a_small"], [box(98.0, 18.0, 99.0, 19.0), box(98.4, 18.4, 98.6, 18.6)])
    assert ids(index, np.array([98.5, 98.1, 98.6]), np.array([18.5, 18.1, 18.5])) == ["a_small", "b_big", "a_small"]


def test_hole_and_multipolygon() -> None:
    ring = Polygon(box(98.0, 18.0, 99.0, 19.0).exterior.coords, [box(98.4, 18.4, 98.6, 18.6).exterior.coords])
    islands = MultiPolygon([box(98.45, 18.45, 98.5, 18.5), box(99.5, 18.0, 99.6, 18.1)])
    index = build_zone_index(["ring", "islands"], [ring, islands])
    lon = np.array([98.2, 98.55, 98.47, 99.55, 98.4, 99.3])
    lat = np.array([18.2, 18.55, 18.47, 18.05, 18.5, 18.5])
    assert ids(index, lon, lat) == ["ring", None, "islands", "islands", "ring", None]


def test_invalid_zones_raise_zoning_error() -> None:
    with pytest.raises(ZoningError, match="No zones"):
        build_zone_index([], [])
    with pytest.raises(ZoningError, match="repeat"):
        build_zone_index(["a", "a"], [box(0, 0, 1, 1), box(1, 0, 2, 1)])
    with pytest.raises(ZoningError, match="not a non-empty Polygon"):
        build_zone_index(["a"], [shapely.Point(0, 0)])
    with pytest.raises(ZoningError, match="same length"):
        assign_codes(two_squares(), np.array([1.0, 2.0]), np.array([1.0]))


# --- the real seed zones against the exact answer ----------------------------------------------


def test_random_points_match_exact_answer(seed_zones: gpd.GeoDataFrame, seed_index: zoning.ZoneIndex) -> None:
    rng = np.random.default_rng(2025)
    n = 200_000
    lon = np.concatenate([rng.uniform(97.9, 99.7, n // 2), rng.normal(98.985, 0.02, n // 2)])
    lat = np.concatenate([rng.uniform(17.1, 20.3, n // 2), rng.normal(18.79, 0.02, n // 2)])
    expected = reference_codes(list(seed_zones["zone_id"]), list(seed_zones.geometry), lon, lat)
    assert (expected == OUTSIDE).any() and (expected >= 0).sum() > n // 2
    np.testing.assert_array_equal(assign_codes(seed_index, lon, lat), expected)


def test_points_on_and_beside_boundaries_match_exact_answer(
    seed_zones: gpd.GeoDataFrame, seed_index: zoning.ZoneIndex
) -> None:
    rng = np.random.default_rng(7)
    lines = shapely.boundary(np.asarray(seed_zones.geometry.values))
    vertices = shapely.get_coordinates(lines)  # exactly on the boundaries
    along = []
    for line in lines:
        d = rng.uniform(0, shapely.length(line), 3000)
        along.append(shapely.get_coordinates(shapely.line_interpolate_point(line, d)))
    along = np.concatenate(along)
    nudged = along + rng.normal(0, 1e-7, along.shape)  # centimetres either side
    pts = np.concatenate([vertices, along, nudged])
    expected = reference_codes(list(seed_zones["zone_id"]), list(seed_zones.geometry), pts[:, 0], pts[:, 1])
    np.testing.assert_array_equal(assign_codes(seed_index, pts[:, 0], pts[:, 1]), expected)


def test_agrees_with_geopandas_sjoin_inside_zones(seed_zones: gpd.GeoDataFrame, seed_index: zoning.ZoneIndex) -> None:
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(98.0, 99.5, 20_000), rng.uniform(17.2, 20.2, 20_000)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    joined = gpd.sjoin(points, seed_zones[["zone_id", "geometry"]], how="left", predicate="within")
    expected = joined.sort_index()["zone_id"].to_numpy(dtype=object)
    assert ids(seed_index, lon, lat) == [None if pd.isna(v) else v for v in expected]


def test_grid_square_edges_and_chunks_match_exact_answer(
    seed_zones: gpd.GeoDataFrame, seed_index: zoning.ZoneIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Points exactly on fine-grid lines (where float rounding picks a square) and a tiny chunk size.
    monkeypatch.setattr(zoning, "CHUNK", 1000)
    i = np.arange(0, 4000, 7)
    lon = seed_index.x0 + i * seed_index.step
    lat = np.full_like(lon, 18.79)
    lon2 = np.full(1500, 98.985)
    lat2 = seed_index.y0 + np.arange(1500) * seed_index.step * 3
    lon, lat = np.concatenate([lon, lon2]), np.concatenate([lat, lat2])
    expected = reference_codes(list(seed_zones["zone_id"]), list(seed_zones.geometry), lon, lat)
    np.testing.assert_array_equal(assign_codes(seed_index, lon, lat), expected)


@pytest.mark.parametrize(("coarse_step", "factor"), [(0.05, 2), (0.003, 8), (None, 64)])
def test_other_grid_sizes_match_exact_answer(seed_zones: gpd.GeoDataFrame, coarse_step: float | None, factor: int) -> None:
    index = zoning.zone_index_from_frame(seed_zones, coarse_step=coarse_step, factor=factor)
    rng = np.random.default_rng(factor)
    lon, lat = rng.normal(98.98, 0.08, 30_000), rng.normal(18.79, 0.08, 30_000)
    expected = reference_codes(list(seed_zones["zone_id"]), list(seed_zones.geometry), lon, lat)
    np.testing.assert_array_equal(assign_codes(index, lon, lat), expected)


def test_factor_must_be_power_of_two() -> None:
    with pytest.raises(ZoningError, match="power of two"):
        build_zone_index(["a"], [box(0, 0, 1, 1)], factor=12)


# --- from the database ------------------------------------------------------------------------


def test_index_from_db_matches_places_zone_ids(atlas_db) -> None:
    con = connect(atlas_db, read_only=True)
    try:
        index = zoning.zone_index_from_db(con)
        zones = zoning.zones_for_table(con, index, "places")
        stored = con.table("places").select("zone_id").fetchnumpy()["zone_id"]
    finally:
        con.close()
    assert len(index.zone_ids) == 11
    # places.zone_id uses ST_Contains (open polygons) with the same smallest-zone_id rule
    got = np.asarray(zones, dtype=object)
    known = np.array([v is not None for v in stored])
    assert known.sum() > 100
    assert list(got[known]) == list(stored[known])


def test_index_from_db_unknown_level_raises(atlas_db) -> None:
    con = connect(atlas_db, read_only=True)
    try:
        with pytest.raises(ZoningError, match="No zones of level 'district'"):
            zoning.zone_index_from_db(con, level="district")
    finally:
        con.close()
