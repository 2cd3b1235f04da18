"""Corridors and routes (geo.movement) on the tiny hand-made flows: exact trips, ranks, distances and times."""

from __future__ import annotations

import dataclasses
import math
import pickle
from dataclasses import dataclass
from datetime import date

import pytest

from geo import vocab
from geo.errors import DataNotBuiltError, FilterError
from geo.services import movement
from geo.services.filters import Filters
from tests.flow_fixtures import tiny_db

ALL = Filters(start=date(2025, 11, 1), end=date(2025, 11, 3))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = tiny_db(tmp_path_factory.mktemp("movement"))
    yield c
    c.close()


def test_haversine_one_degree_of_latitude_is_radius_times_one_degree() -> None:
    assert movement.haversine_m(0, 0, 0, 1) == pytest.approx(vocab.EARTH_RADIUS_M * math.radians(1), rel=1e-12)
    assert movement.haversine_m(0, 0, 0, 1) == pytest.approx(111_195.08, abs=0.01)


def test_haversine_takes_lon_first() -> None:
    # one degree of longitude at 60°N is half a degree of latitude's length (the ST_Distance_Sphere trap)
    assert movement.haversine_m(0, 60, 1, 60) == pytest.approx(55_597.5, abs=1.0)
    assert movement.haversine_m(98.98, 18.79, 98.98, 18.79) == 0.0


def test_straight_line_leg_time_uses_assumed_speed() -> None:
    router = movement.StraightLineRouter(speed_kmh=30)
    a = movement.Stop("a", "A", "ก", 0.0, 0.0)
    b = movement.Stop("b", "B", "ข", 0.0, 1.0)
    leg = router.leg(a, b)
    assert leg.distance_m == pytest.approx(111_195.08, abs=0.01)
    assert leg.minutes == pytest.approx(leg.distance_m / 1000 / 30 * 60, rel=1e-12)
    assert leg.path == ((0.0, 0.0), (1.0, 0.0))
    assert router.label == "straight-line (no road network imported)"


def test_straight_line_router_rejects_non_positive_speed() -> None:
    with pytest.raises(ValueError, match="speed_kmh"):
        movement.StraightLineRouter(speed_kmh=0)


def test_route_engine_is_pluggable() -> None:
    @dataclass(frozen=True)
    class DoubleRouter:
        label: str = "test roads"

        def leg(self, origin, destination):
            base = movement.StraightLineRouter(speed_kmh=60).leg(origin, destination)
            return movement.Leg(origin, destination, base.distance_m * 2, base.minutes * 2, base.path)

    stops = [movement.Stop(s, s, s, 0.0, float(i)) for i, s in enumerate("abc")]
    legs = movement.route_legs(stops, DoubleRouter())
    assert [(leg.origin.place_id, leg.destination.place_id) for leg in legs] == [("a", "b"), ("b", "c")]
    assert legs[0].distance_m == pytest.approx(2 * 111_195.08, abs=0.02)


def test_plan_route_keeps_pick_order_and_sums_legs(con) -> None:
    ids = ("att-night-bazaar", "att-wat-phra-singh", "att-tha-phae-gate")
    route = movement.plan_route(con, ids, speed_kmh=20)
    assert isinstance(route, movement.Route)
    assert list(route.stops["place_id"]) == list(ids)
    assert {"name_en", "name_th", "lon", "lat"} <= set(route.stops.columns)
    legs = route.legs
    assert legs.columns.tolist() == ["leg", "from_id", "from_name", "from_name_th", "to_id", "to_name", "to_name_th",
                                     "distance_km", "minutes", "path", "on_roads", "snap_from_m", "snap_to_m", "note"]
    assert not legs["on_roads"].any() and not route.on_roads  # no network in this database
    assert legs["leg"].tolist() == [1, 2]
    assert list(zip(legs["from_id"], legs["to_id"], strict=True)) == [
        ("att-night-bazaar", "att-wat-phra-singh"), ("att-wat-phra-singh", "att-tha-phae-gate")]
    assert legs["path"].iloc[0] == [[18.7850, 99.0002], [18.7886, 98.9817]]
    d1 = movement.haversine_m(99.0002, 18.7850, 98.9817, 18.7886)
    d2 = movement.haversine_m(98.9817, 18.7886, 98.9933, 18.7877)
    assert legs["distance_km"].tolist() == pytest.approx([d1 / 1000, d2 / 1000], rel=1e-12)
    assert route.distance_km == pytest.approx((d1 + d2) / 1000, rel=1e-12)
    assert route.minutes == pytest.approx((d1 + d2) / 1000 / 20 * 60, rel=1e-12)
    assert route.speed_kmh == 20.0
    assert route.label == movement.STRAIGHT_LINE_LABEL
    assert route.missing == ()


def test_plan_route_reports_unknown_ids_and_single_stop(con) -> None:
    route = movement.plan_route(con, ("att-wat-phra-singh", "nope", "nope-2"), speed_kmh=25)
    assert route.missing == ("nope", "nope-2")
    assert route.stops["place_id"].tolist() == ["att-wat-phra-singh"]
    assert route.legs.empty and route.distance_km == 0.0 and route.minutes == 0.0


def test_route_is_a_frozen_record_that_survives_the_cache(con) -> None:
    route = movement.plan_route(con, ("att-night-bazaar", "att-wat-phra-singh"), speed_kmh=30)
    with pytest.raises(dataclasses.FrozenInstanceError):
        route.label = "road"  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(route))  # what ui.state.call caches and returns
    assert (copy.distance_km, copy.minutes, copy.label, copy.speed_kmh, copy.missing) == (
        route.distance_km, route.minutes, route.label, route.speed_kmh, route.missing)
    assert copy.legs.equals(route.legs) and copy.stops.equals(route.stops)


def test_top_corridors_zone_level_exact(con) -> None:
    df = movement.top_corridors(con, ALL, "zone", 10)
    assert list(zip(df["rank"], df["origin"], df["destination"], df["trips"], strict=True)) == [
        (1, "west", "east", 18), (2, "east", "west", 13)]
    assert df["origin_name_en"].tolist() == ["West", "East"]
    assert df["share"].tolist() == pytest.approx([18 / 31, 13 / 31])
    assert df["trips_per_day"].tolist() == pytest.approx([6.0, 13 / 3])
    # no weights fitted in this hand-built database: the estimate equals the observed trips
    assert movement.flow_totals(con, ALL, "zone") == movement.FlowTotals(corridor_trips=31, internal_trips=7, corridors=2,
                                                                         est_corridor_trips=31.0)


def test_top_corridors_follow_segment_and_weekday_filters(con) -> None:
    intl = Filters(start=ALL.start, end=ALL.end, segments=("international",))
    df = movement.top_corridors(con, intl, "zone", 10)
    assert list(zip(df["origin"], df["destination"], df["trips"], strict=True)) == [("east", "west", 13)]
    assert movement.flow_totals(con, intl, "zone").internal_trips == 0
    monday = Filters(start=ALL.start, end=ALL.end, weekdays=(0,))
    df = movement.top_corridors(con, monday, "zone", 10)
    assert list(zip(df["origin"], df["trips"], strict=True)) == [("east", 9), ("west", 5)]


def test_top_corridors_limits_and_place_level(con) -> None:
    assert len(movement.top_corridors(con, ALL, "zone", 1)) == 1
    df = movement.top_corridors(con, ALL, "place", 10)
    assert list(zip(df["origin"], df["destination"], df["trips"], strict=True)) == [
        ("att-wat-phra-singh", "att-night-bazaar", 6), ("att-night-bazaar", "att-tha-phae-gate", 2)]
    assert df["origin_lat"].iloc[0] == pytest.approx(18.7886)


def test_top_corridors_rejects_unknown_level(con) -> None:
    with pytest.raises(FilterError, match="Flows are between"):
        movement.top_corridors(con, ALL, "district", 5)


def test_top_corridors_without_flows_says_how_to_build(tmp_path) -> None:
    con = tiny_db(tmp_path, flows=False)
    with pytest.raises(DataNotBuiltError, match="make build"):
        movement.top_corridors(con, ALL, "zone", 5)


def test_a_database_without_the_od_macro_asks_for_a_rebuild(tmp_path) -> None:
    c = tiny_db(tmp_path)
    try:
        c.execute("drop macro table od_filtered")
        with pytest.raises(DataNotBuiltError, match="older version of the atlas"):
            movement.top_corridors(c, ALL, "zone", 5)
    finally:
        c.close()
