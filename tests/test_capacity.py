"""Supply, demand, pressure index and catchments (geo.capacity) on the tiny hand-made data, asserted exactly."""

from __future__ import annotations

import dataclasses
import math
import pickle
from datetime import date

import pytest

from geo import vocab
from geo.services import capacity
from geo.services.filters import Filters
from geo.services.movement import haversine_m
from tests.flow_fixtures import tiny_db

NIGHTS = Filters(start=date(2025, 11, 1), end=date(2025, 11, 2))
THA_PHAE = (98.9933, 18.7877)
GUESTHOUSE = (98.9880, 18.7900)
HOTEL = (99.0030, 18.7830)


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = tiny_db(tmp_path_factory.mktemp("capacity"))
    yield c
    c.close()


def _by_zone(df):
    return {r["zone_id"]: r for r in df.to_dict("records")}


def test_pressure_index_exact(con) -> None:
    z = _by_zone(capacity.supply_demand(con, NIGHTS))
    west, east = z["west"], z["east"]
    assert (west["accommodations"], west["rooms"], west["beds"]) == (1, 12, 24)
    assert (east["accommodations"], east["rooms"], east["beds"]) == (1, 120, 240)
    assert west["nights"] == east["nights"] == 2
    # west: 18 (Sat night) + 30 (Sun night) = 48 visitor-nights / 2 nights = 24 per night / 24 beds
    assert west["visitor_nights"] == 48 and west["overnight_per_night"] == 24.0
    assert west["pressure"] == 1.0 and west["peak_overnight"] == 30 and west["peak_pressure"] == 1.25
    assert west["pressure_class"] == "over"
    assert east["pressure"] == pytest.approx(0.25) and east["peak_pressure"] == pytest.approx(0.5)
    assert east["pressure_class"] == "low" and east["colour"] == "#1a9850"


def test_pressure_follows_segments_and_weekdays(con) -> None:
    intl = _by_zone(capacity.supply_demand(con, Filters(start=NIGHTS.start, end=NIGHTS.end, segments=("international",))))
    assert intl["west"]["visitor_nights"] == 42 and intl["west"]["pressure"] == pytest.approx(42 / 2 / 24)
    assert intl["west"]["pressure_class"] == "high"
    assert intl["east"]["pressure"] == 0.0
    sunday = _by_zone(capacity.supply_demand(con, Filters(start=NIGHTS.start, end=NIGHTS.end, weekdays=(6,))))
    assert sunday["west"]["nights"] == 1 and sunday["west"]["pressure"] == 1.25


def test_zone_without_beds_has_no_pressure(tmp_path) -> None:
    from geo.build.run import load_seed
    from geo.db import connect
    from tests.flow_fixtures import PLACES, TINY_EXTRA_PLACES, add_flows, tiny_flows
    from tests.seed_fixtures import write_seed

    con = connect(":memory:")
    load_seed(con, write_seed(tmp_path / "s", places=[p for p in PLACES + TINY_EXTRA_PLACES if p[0] != "acc-river-hotel"]))
    frames = tiny_flows({"west": 1, "east": 2})
    add_flows(con, frames["visits"], frames["trips"], frames["place_visits"])
    east = _by_zone(capacity.supply_demand(con, NIGHTS))["east"]
    assert east["beds"] == 0 and math.isnan(east["pressure"]) and east["pressure_class"] == "no_beds"


@pytest.mark.parametrize(
    ("value", "key"),
    [(0.0, "low"), (0.4999, "low"), (0.5, "moderate"), (0.7999, "moderate"), (0.8, "high"), (0.9999, "high"),
     (1.0, "over"), (7.0, "over"), (None, "no_beds"), (float("nan"), "no_beds")],
)
def test_pressure_class_thresholds(value, key) -> None:
    assert vocab.pressure_class(value)[0] == key


def test_catchment_includes_and_excludes_at_the_boundary(con) -> None:
    d_guest = haversine_m(*THA_PHAE, *GUESTHOUSE)
    d_hotel = haversine_m(*THA_PHAE, *HOTEL)
    assert d_guest < d_hotel
    inside = capacity.catchment(con, "att-tha-phae-gate", d_guest + 0.01)
    assert isinstance(inside, capacity.Catchment)
    assert inside.accommodation["place_id"].tolist() == ["acc-old-guesthouse"]
    assert inside.accommodation["distance_m"].iloc[0] == pytest.approx(d_guest, abs=1e-6)
    assert (inside.places, inside.rooms, inside.beds) == (1, 12, 24)
    outside = capacity.catchment(con, "att-tha-phae-gate", d_guest - 0.01)
    assert outside.accommodation.empty and outside.places == 0
    assert (outside.rooms, outside.beds) == (0, 0) and outside.by_price_band.empty
    both = capacity.catchment(con, "att-tha-phae-gate", d_hotel + 0.01)
    assert both.accommodation["place_id"].tolist() == ["acc-old-guesthouse", "acc-river-hotel"]
    assert (both.places, both.rooms, both.beds) == (2, 132, 264)
    assert both.radius_m == pytest.approx(d_hotel + 0.01)
    assert both.place is not None and both.place.place_id == "att-tha-phae-gate"
    assert (both.place.lon, both.place.lat) == pytest.approx(THA_PHAE)
    bands = both.by_price_band.set_index("price_band")
    assert bands.index.tolist() == ["budget", "upscale"]
    assert bands.loc["upscale", "rooms"] == 120 and bands.loc["budget", "places"] == 1


def test_catchment_unknown_place_is_empty(con) -> None:
    out = capacity.catchment(con, "nope", 5000)
    assert out.place is None and out.accommodation.empty and out.by_price_band.empty
    assert (out.places, out.rooms, out.beds, out.radius_m) == (0, 0, 0, 5000.0)


def test_catchment_radius_is_clamped_and_the_record_is_frozen(con) -> None:
    assert capacity.catchment(con, "att-tha-phae-gate", -5).radius_m == 0.0
    far = capacity.catchment(con, "att-tha-phae-gate", 10 * capacity.MAX_RADIUS_M)
    assert far.radius_m == float(capacity.MAX_RADIUS_M)
    with pytest.raises(dataclasses.FrozenInstanceError):
        far.beds = 0  # type: ignore[misc]
    copy = pickle.loads(pickle.dumps(far))  # what ui.state.call caches and returns
    assert (copy.places, copy.rooms, copy.beds, copy.radius_m, copy.place) == (
        far.places, far.rooms, far.beds, far.radius_m, far.place)
    assert copy.accommodation.equals(far.accommodation)


def test_bbox_around_contains_the_circle() -> None:
    lon, lat, r = 98.99, 18.79, 5000.0
    box = capacity.bbox_around(lon, lat, r)
    dlat = math.degrees(r / 6_371_008.8)
    assert box["max_lat"] == pytest.approx(lat + dlat)
    # the point due east at distance r lies inside the box
    east_lon = lon + math.degrees(r / (6_371_008.8 * math.cos(math.radians(lat))))
    assert haversine_m(lon, lat, east_lon, lat) <= r + 1.0
    assert box["min_lon"] < lon - (east_lon - lon) * 0.999 and box["max_lon"] >= east_lon
