"""Place search, details, profiles, nearby places and data-quality figures (geo.placeinfo) on tiny data."""

from __future__ import annotations

import dataclasses
import pickle
from datetime import date

import pandas as pd
import pytest

from geo import sql
from geo.services import placeinfo
from geo.services.filters import Filters
from geo.services.movement import haversine_m
from tests.flow_fixtures import tiny_db

NOV = Filters(start=date(2025, 11, 1), end=date(2025, 11, 30))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    c = tiny_db(tmp_path_factory.mktemp("placeinfo"))
    yield c
    c.close()


def _ids(df) -> list[str]:
    return sorted(df["place_id"])


def test_search_english_case_insensitive(con) -> None:
    assert _ids(placeinfo.search_places(con, "WAT phra")) == ["att-wat-phra-singh"]
    assert _ids(placeinfo.search_places(con, "  night bazaar ")) == ["att-night-bazaar"]


def test_search_thai(con) -> None:
    assert _ids(placeinfo.search_places(con, "ประตู")) == ["att-tha-phae-gate"]
    assert _ids(placeinfo.search_places(con, "คาเฟ่")) == ["att-cafe-pct", "att-cafe-underscore", "att-cafe-x"]


def test_search_treats_percent_underscore_and_backslash_literally(con) -> None:
    assert _ids(placeinfo.search_places(con, "%")) == ["att-cafe-pct"]
    assert _ids(placeinfo.search_places(con, "e_n")) == ["att-cafe-underscore"]
    assert _ids(placeinfo.search_places(con, "100%")) == ["att-cafe-pct"]
    assert placeinfo.search_places(con, "\\").empty
    assert placeinfo.like_pattern("a%b_c\\") == "%a\\%b\\_c\\\\%"


def test_search_empty_text_and_filters(con) -> None:
    assert len(placeinfo.search_places(con, "")) == 10
    assert _ids(placeinfo.search_places(con, "", layers=("accommodation",))) == ["acc-old-guesthouse", "acc-river-hotel"]
    assert _ids(placeinfo.search_places(con, "cafe", categories=("cafe_lifestyle",))) == [
        "att-cafe-pct", "att-cafe-underscore", "att-cafe-x"]
    assert placeinfo.search_places(con, "cafe", layers=("health",)).empty


def test_place_detail(con) -> None:
    d = placeinfo.place_detail(con, "acc-river-hotel")
    assert isinstance(d, placeinfo.PlaceDetail)
    assert (d.name_en, d.zone_id, d.zone_name, d.rooms, d.price_band) == (
        "River <b>Hotel</b>", "east", "East", 120, "upscale")  # stored as given: escaping is the page's job
    assert placeinfo.place_detail(con, "nope") is None


def test_place_detail_has_one_typed_field_per_query_column(con) -> None:
    columns = [c[0] for c in sql.execute(con, "app/placeinfo_detail", {"place_id": "nope"}).description]
    assert [f.name for f in dataclasses.fields(placeinfo.PlaceDetail)] == columns
    d = placeinfo.place_detail(con, "att-wat-phra-singh")
    assert d == placeinfo.PlaceDetail(
        place_id="att-wat-phra-singh", layer="attraction", category="temple", name_en="Wat Phra Singh",
        name_th="วัดพระสิงห์", lat=18.7886, lon=98.9817, cell=d.cell, zone_id="west", zone_name="West",
        zone_name_th="ตะวันตก", rooms=None, capacity=800, price_band=None, estimated=True, open_hour=6,
        close_hour=18, source="test",
    )
    assert isinstance(d.cell, int) and d.cell > 0
    assert (type(d.lat), type(d.open_hour), type(d.estimated)) == (float, int, bool)
    outside = placeinfo.place_detail(con, "att-far-hill")
    assert (outside.zone_id, outside.zone_name, outside.zone_name_th) == (None, None, None)


def test_place_detail_is_a_frozen_record_that_survives_the_cache(con) -> None:
    d = placeinfo.place_detail(con, "acc-river-hotel")
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.rooms = 0  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(d)) == d  # what ui.state.call caches and returns
    assert dataclasses.asdict(d)["name_en"] == "River <b>Hotel</b>"  # what the Places page hands the map


def test_nearby_places_exact_distances_and_radius(con) -> None:
    near = placeinfo.nearby_places(con, "att-wat-phra-singh", 1000)
    expected = {
        "acc-old-guesthouse": haversine_m(98.9817, 18.7886, 98.9880, 18.7900),
        "att-cafe-pct": haversine_m(98.9817, 18.7886, 98.9850, 18.7890),
        "att-cafe-underscore": haversine_m(98.9817, 18.7886, 98.9860, 18.7895),
        "att-cafe-x": haversine_m(98.9817, 18.7886, 98.9862, 18.7896),
    }
    assert _ids(near) == sorted(expected)
    assert near["distance_m"].is_monotonic_increasing
    for rec in near.to_dict("records"):
        assert rec["distance_m"] == pytest.approx(expected[rec["place_id"]], abs=1e-6)
    gate = haversine_m(98.9817, 18.7886, 98.9933, 18.7877)
    assert 1000 < gate < 1300
    assert "att-tha-phae-gate" in set(placeinfo.nearby_places(con, "att-wat-phra-singh", 1300)["place_id"])
    assert placeinfo.nearby_places(con, "nope").empty


def test_place_profile_exact(con) -> None:
    prof = placeinfo.place_profile(con, "att-wat-phra-singh", NOV)
    assert prof.visits == 3 and prof.avg_dwell_minutes == 60.0
    hours = prof.by_hour.set_index("hour")
    assert len(hours) == 24 and hours["visits"].sum() == 3
    assert (hours.loc[9, "visits"], hours.loc[14, "visits"]) == (2, 1)
    assert hours.loc[9, "avg_dwell_minutes"] == 45.0
    assert prof.by_month["month"].tolist() == ["2025-11"]
    days = prof.by_weekday.set_index("day")["visits"]
    assert (days["Sat"], days["Mon"], days["Sun"]) == (2, 1, 0)
    assert prof.by_segment_group.set_index("segment_group")["visits"].to_dict() == {
        "domestic": 1, "international": 1, "resident": 1}
    assert sorted(prof.origins["segment"]) == ["domestic:Bangkok", "international:CN", "resident"]


def test_place_profile_follows_filters(con) -> None:
    afternoon = placeinfo.place_profile(con, "att-wat-phra-singh", Filters(start=NOV.start, end=NOV.end, hours=(10, 23)))
    assert afternoon.visits == 1 and afternoon.avg_dwell_minutes == 90.0
    dec = placeinfo.place_profile(con, "att-wat-phra-singh", Filters(start=date(2025, 12, 1), end=date(2025, 12, 31)))
    assert dec.visits == 1 and dec.origins["segment"].tolist() == ["international:US"]
    intl = placeinfo.place_profile(con, "att-wat-phra-singh", Filters(start=NOV.start, end=NOV.end, segments=("international",)))
    assert intl.visits == 1
    assert placeinfo.place_profile(con, "att-tha-phae-gate", NOV).visits == 0


def test_data_quality_figures(con) -> None:
    q = placeinfo.data_quality(con)
    assert isinstance(q, placeinfo.DataQuality)
    assert (q.places, q.places_without_zone) == (10, 1)
    assert (q.accommodations, q.accommodations_estimated, q.accommodations_without_rooms) == (2, 2, 0)
    assert q.attractions_always_open == 5
    assert (q.zones, q.zones_approximate) == (2, 2)
    assert q.flows is True
    assert (q.first_day, q.last_day, q.days_in_range) == (date(2025, 11, 1), date(2025, 11, 3), 3)
    assert (q.days_with_presence, q.days_with_trips, q.days_partial_hours) == (2, 2, 2)
    assert q.gaps == (
        placeinfo.CoverageGap(day=date(2025, 11, 1), presence_rows=0, hours_with_data=0, trip_rows=5),
        placeinfo.CoverageGap(day=date(2025, 11, 2), presence_rows=6, hours_with_data=3, trip_rows=0),
    )
    assert all(type(g.day) is date for g in q.gaps)  # a date, not a pandas Timestamp
    assert pd.DataFrame(q.gaps).columns.tolist() == ["day", "presence_rows", "hours_with_data", "trip_rows"]  # Data page
    assert q.cells_with_data == 2 and q.cells > 2


def test_data_quality_without_flows(tmp_path) -> None:
    q = placeinfo.data_quality(tiny_db(tmp_path, flows=False))
    assert q.flows is False and q.places == 10 and q.cells > 2
    flow_fields = ("first_day", "last_day", "days_in_range", "days_with_presence", "days_with_trips",
                   "days_partial_hours", "cells_with_data", "gaps")
    assert [getattr(q, f) for f in flow_fields] == [None] * len(flow_fields)


def test_data_quality_is_a_frozen_record_that_survives_the_cache(con) -> None:
    q = placeinfo.data_quality(con)
    assert [f.name for f in dataclasses.fields(placeinfo.DataQuality)] == [
        "places", "places_without_zone", "accommodations", "accommodations_estimated",
        "accommodations_without_rooms", "attractions_always_open", "zones", "zones_approximate", "cells",
        "flows", "first_day", "last_day", "days_in_range", "days_with_presence", "days_with_trips",
        "days_partial_hours", "cells_with_data", "gaps"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.places = 0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.gaps[0].trip_rows = 0  # type: ignore[index,misc]
    assert pickle.loads(pickle.dumps(q)) == q  # what ui.state.call caches and returns


def test_table_sizes_lists_rollups(con) -> None:
    sizes = placeinfo.table_sizes(con).set_index("table_name")["row_count"]
    assert sizes["places"] == 10 and sizes["trips"] == 8
    assert sizes["od_daily"] == 7  # two domestic rows on 1 Nov west→east merge into one group row


def test_place_labels_join_english_and_thai_names_in_row_order(con) -> None:
    results = placeinfo.search_places(con, "")
    labels = placeinfo.place_labels(results)
    assert list(labels) == list(results["place_id"])
    first = results.iloc[0]
    assert labels[first["place_id"]] == f"{first['name_en']} · {first['name_th']}"
    assert placeinfo.place_labels(results.iloc[0:0]) == {}
