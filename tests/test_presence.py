"""Presence services and rollups give exact figures on a tiny hand-built city (two zones, five devices)."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable
from datetime import date, datetime

import duckdb
import h3
import pandas as pd
import pytest

from geo import sql
from geo.build import rollups, seed
from geo.build.pipeline import load_outputs
from geo.db import connect
from geo.errors import DataNotBuiltError, FilterError
from geo.render import presence_maps
from geo.services import presence
from geo.services.filters import Filters
from tests.publish_fixtures import places, stays_frame, zones_file

#: Zone A and zone B: two 2 km squares side by side east of the old city.
ZONES = {
    "za": ("Zone A <b>", (98.97, 18.78, 98.99, 18.80)),
    "zb": ("Zone B", (98.99, 18.78, 99.01, 18.80)),
}
CELL_A = int(h3.latlng_to_cell(18.79, 98.98, 8), 16)
CELL_B = int(h3.latlng_to_cell(18.79, 99.00, 8), 16)

PRESENCE_ROLLUPS = [n for n in rollups.rollup_names() if n.split("/")[1].startswith("1")]

T = datetime.fromisoformat

# device, start, end, zone, segment, visitor_type
STAYS = [
    (1, "2026-01-07 09:00", "2026-01-07 11:00", "za", "international:CN", "overnight"),
    (1, "2026-01-07 20:00", "2026-01-08 08:00", "zb", "international:CN", "overnight"),
    (2, "2026-01-08 13:00", "2026-01-08 15:30", "za", "domestic:Bangkok", "day_tripper"),
    (3, "2026-01-07 00:00", "2026-01-08 00:00", "zb", "resident", "resident"),
    (4, "2026-01-05 10:00", "2026-01-05 12:00", "za", "domestic:Lamphun", "day_tripper"),
    (5, "2026-01-06 10:00", "2026-01-06 11:00", "za", "international:CN", "overnight"),
]
# ts_hour, cell, segment, visitor_type, visitors, dwell
HOURLY = [
    ("2026-01-05 10:00", "a", "domestic:Lamphun", "day_tripper", 1, 60.0),
    ("2026-01-06 10:00", "a", "international:CN", "overnight", 1, 60.0),
    ("2026-01-07 09:00", "a", "international:CN", "overnight", 1, 60.0),
    ("2026-01-07 10:00", "a", "international:CN", "overnight", 1, 60.0),
    ("2026-01-07 10:00", "b", "resident", "resident", 1, 60.0),
    ("2026-01-07 20:00", "b", "international:CN", "overnight", 1, 60.0),
    ("2026-01-08 13:00", "a", "domestic:Bangkok", "day_tripper", 1, 60.0),
    ("2026-01-08 14:00", "a", "domestic:Bangkok", "day_tripper", 1, 60.0),
]
# device, place, start, end, segment, visitor_type
VISITS = [
    (1, "p_temple", "2026-01-07 09:10", "2026-01-07 10:40", "international:CN", "overnight"),
    (2, "p_temple", "2026-01-08 13:15", "2026-01-08 14:45", "domestic:Bangkok", "day_tripper"),
    (3, "p_market", "2026-01-07 10:00", "2026-01-07 10:30", "resident", "resident"),
    (4, "p_temple", "2026-01-05 10:10", "2026-01-05 11:10", "domestic:Lamphun", "day_tripper"),
]

CURRENT = Filters(start=date(2026, 1, 7), end=date(2026, 1, 8))


def _stays_frame(rows: list[tuple]) -> pd.DataFrame:
    """Stays from (device, start, end, zone, segment, visitor_type); the zone's cell (A or B)."""
    return stays_frame([(r[0], r[1], r[2], CELL_A if r[3] == "za" else CELL_B, *r[3:]) for r in rows])


def _flow_tables(con) -> None:
    cells = {"a": CELL_A, "b": CELL_B}
    zone_of = {"a": "za", "b": "zb"}
    hourly = pd.DataFrame({
        "ts_hour": [T(r[0]) for r in HOURLY],
        "cell": pd.Series([cells[r[1]] for r in HOURLY], dtype="uint64"),
        "zone_id": [zone_of[r[1]] for r in HOURLY],
        "segment": [r[2] for r in HOURLY],
        "visitor_type": [r[3] for r in HOURLY],
        "visitors": pd.Series([r[4] for r in HOURLY], dtype="int32"),
        "dwell_minutes": [r[5] for r in HOURLY],
    })
    stays = _stays_frame(STAYS)
    visits = pd.DataFrame({
        "device": pd.Series([r[0] for r in VISITS], dtype="uint64"),
        "place_id": [r[1] for r in VISITS],
        "visit_start": [T(r[2]) for r in VISITS],
        "visit_end": [T(r[3]) for r in VISITS],
        "dwell_minutes": [(T(r[3]) - T(r[2])).total_seconds() / 60 for r in VISITS],
        "segment": [r[4] for r in VISITS],
        "visitor_type": [r[5] for r in VISITS],
    })
    visits["n_stays"] = pd.Series([1] * len(visits), dtype="int32")
    load_outputs(con, {"visits_hourly": hourly, "stays": stays, "place_visits": visits})


def _atlas(tmp_path_factory, flows: Callable[[duckdb.DuckDBPyConnection], None]) -> duckdb.DuckDBPyConnection:
    c = connect(":memory:")
    zones = seed.read_zones_geojson(zones_file(tmp_path_factory.mktemp("zones") / "zones.geojson", ZONES))
    for name in ("schema/create_meta", "schema/create_zones", "schema/create_places", "schema/create_cells"):
        sql.execute(c, name)
    seed.load_zones(c, zones)
    seed.load_cells(c, zones)
    seed.load_places(c, places())
    flows(c)
    sql.execute(c, "schema/create_expansion_weights")  # no weights fitted: est_people = the observed counts
    for name in PRESENCE_ROLLUPS:
        sql.execute(c, name)
    return c


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    """An in-memory atlas: two zones with their cells, two places, hand-made flows and the presence rollups."""
    c = _atlas(tmp_path_factory, _flow_tables)
    yield c
    c.close()


def _crowd_stays() -> list[tuple]:
    """Busier stays for the public view's cell figures: (device, start, end, zone, segment, visitor_type).

    2026-01-07/14/21/28 are Wednesdays, 2026-01-08 a Thursday. Profile rows (cell × Jan × weekday × hour ×
    segment group), with a floor of 3 the starred ones hidden: A Wed 09 intl 4 devices; A Wed 10 intl 2 *;
    A Wed 10 domestic 5; A Thu 10 domestic 1 *; A Thu 13 domestic 3; B Wed 10 resident 1 *; B Wed 10
    domestic: one device on four Wednesdays, 4 device-hours but 1 person *.
    """
    cn, bkk, lph = ("international:CN", "overnight"), ("domestic:Bangkok", "day_tripper"), ("domestic:Lamphun",
                                                                                            "day_tripper")
    rows = [(101 + i, "2026-01-07 09:00", "2026-01-07 09:45", "za", *cn) for i in range(4)]
    rows += [(105 + i, "2026-01-07 10:00", "2026-01-07 10:45", "za", *cn) for i in range(2)]
    rows += [(107 + i, "2026-01-07 10:00", "2026-01-07 10:45", "za", *bkk) for i in range(5)]
    rows += [(112, "2026-01-07 10:00", "2026-01-07 10:30", "zb", "resident", "resident")]
    rows += [(113, "2026-01-08 10:00", "2026-01-08 10:30", "za", *bkk)]
    rows += [(114 + i, "2026-01-08 13:00", "2026-01-08 13:30", "za", *bkk) for i in range(3)]
    rows += [(117, f"2026-01-{d} 10:00", f"2026-01-{d} 10:30", "zb", *lph) for d in ("07", "14", "21", "28")]
    return rows


def _crowd_tables(con) -> None:
    """Stays loaded, their hourly presence computed by the pipeline's own SQL step."""
    load_outputs(con, {"stays": _stays_frame(_crowd_stays())})
    sql.execute(con, "build/insert_visits_hourly")


@pytest.fixture(scope="module")
def crowd(tmp_path_factory):
    """The same atlas with the crowd's stays and the hourly presence computed from them."""
    c = _atlas(tmp_path_factory, _crowd_tables)
    yield c
    c.close()


def test_fixture_cells_fall_in_their_zones(con) -> None:
    a = sql.fetch_one(con, "app/presence_cell_info", {"cell": CELL_A})
    b = sql.fetch_one(con, "app/presence_cell_info", {"cell": CELL_B})
    assert (a["zone_id"], b["zone_id"]) == ("za", "zb")


def test_presence_rollups_are_files_numbered_1x() -> None:
    assert [n.split("/")[1][:2] for n in PRESENCE_ROLLUPS] == ["10", "10", "11", "12", "12", "12", "13", "14", "15", "15", "16"]


def test_daily_rollup_splits_stays_at_midnight(con) -> None:
    df = con.table("presence_daily").df().sort_values(["day", "segment"]).reset_index(drop=True)
    rows = [(str(r["day"])[:10], r["segment"], r["first_hour"], r["last_hour"], r["visitors"], r["dwell_minutes"])
            for r in df.to_dict("records")]
    assert rows == [
        ("2026-01-05", "domestic:Lamphun", 10, 11, 1, 120.0),
        ("2026-01-06", "international:CN", 10, 10, 1, 60.0),
        ("2026-01-07", "international:CN", 9, 23, 1, 360.0),
        ("2026-01-07", "resident", 0, 23, 1, 1440.0),
        ("2026-01-08", "domestic:Bangkok", 13, 15, 1, 150.0),
        ("2026-01-08", "international:CN", 0, 7, 1, 480.0),
    ]


def test_kpis_exact_with_previous_period_change(con) -> None:
    k = presence.kpis(con, CURRENT)
    assert isinstance(k, presence.Kpis) and isinstance(k.current, presence.PeriodKpis)
    assert k.current == presence.PeriodKpis(
        visitors=4, overnight=2, day_trippers=1, residents=1, international=2, international_share=0.5,
        avg_daily_visitors=2.0, place_visits=3, avg_dwell_minutes=70.0, busiest_zone_id="zb",
        busiest_zone_name="Zone B", busiest_zone_visitors=3, busiest_hour=10, busiest_hour_present=1.0,
        days_with_data=2, days_expected=2,
        # no weights fitted in this hand-built database: every estimate equals its observed count
        est_visitors=4.0, est_overnight=2.0, est_day_trippers=1.0, est_residents=1.0, est_international=2.0,
    )
    prev = k.previous
    assert prev is not None
    assert (prev.visitors, prev.overnight, prev.day_trippers, prev.international) == (2, 1, 1, 1)
    assert (prev.days_with_data, prev.days_expected) == (2, 2)
    assert (k.previous_start, k.previous_end) == (date(2026, 1, 5), date(2026, 1, 6))
    chg = k.change
    assert isinstance(chg, presence.KpiChange)
    assert (chg.visitors, chg.overnight, chg.day_trippers, chg.international) == (100.0, 100.0, 0.0, 100.0)
    assert chg.residents is None  # no residents in the previous period: no percent change from 0
    assert chg.avg_daily_visitors == 100.0
    assert chg.international_share_pp == 0.0
    assert chg.avg_dwell_minutes == 10.0
    assert k.note == ""


def test_kpis_hours_filter_counts_people_present_in_the_window(con) -> None:
    cur = presence.kpis(con, Filters(start=CURRENT.start, end=CURRENT.end, hours=(12, 14))).current
    # day 7: device 1 (09-23) and 3 (00-23); day 8: device 2 (13-15); device 1 left at 08:00 on day 8
    assert cur.visitors == 3
    assert (cur.place_visits, cur.avg_dwell_minutes) == (1, 90.0)
    assert (cur.busiest_hour, cur.busiest_hour_present) == (13, 0.5)


def test_kpis_segment_filter(con) -> None:
    cur = presence.kpis(con, Filters(start=CURRENT.start, end=CURRENT.end, segments=("domestic",))).current
    assert (cur.visitors, cur.international_share, cur.busiest_zone_id) == (1, 0.0, "za")


def test_kpis_without_previous_data_shows_no_change(con) -> None:
    k = presence.kpis(con, Filters(start=date(2026, 1, 5), end=date(2026, 1, 6)))
    assert k.previous is None and k.change == presence.KpiChange()
    assert all(v is None for v in dataclasses.astuple(k.change))
    assert "No data for the previous period" in k.note


def test_kpis_partial_previous_period_is_flagged(con) -> None:
    k = presence.kpis(con, Filters(start=date(2026, 1, 7), end=date(2026, 1, 9)))
    assert k.previous is not None and (k.previous.days_with_data, k.previous.days_expected) == (2, 3)
    assert "has data on 2 of 3 days" in k.note


def test_kpis_are_frozen_records_that_survive_the_cache(con) -> None:
    k = presence.kpis(con, CURRENT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        k.current.visitors = 0  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(k)) == k  # what ui.state.call caches and returns


def test_seasonality_average_per_day_by_type(con) -> None:
    df = presence.seasonality(con, CURRENT)
    got = {r["visitor_type"]: (r["visitors"], r["days_with_data"], r["avg_daily_visitors"]) for r in df.to_dict("records")}
    assert got == {"day_tripper": (2, 4, 0.5), "overnight": (3, 4, 0.75), "resident": (1, 4, 0.25)}
    assert set(df["month_start"].astype(str).str[:10]) == {"2026-01-01"}


def test_hour_weekday(con) -> None:
    df = presence.hour_weekday(con, CURRENT)
    got = {(r["weekday"], r["hour"]): r["present"] for r in df.to_dict("records")}
    assert got == {(2, 9): 1.0, (2, 10): 2.0, (2, 20): 1.0, (3, 13): 1.0, (3, 14): 1.0}


def test_origin_mix_top_and_other(con) -> None:
    df = presence.origin_mix(con, CURRENT, "", 2, floor=0)
    assert df[["origin", "segment_group", "visitors"]].to_dict("records") == [
        {"origin": "China", "segment_group": "international", "visitors": 2},
        {"origin": "Bangkok", "segment_group": "domestic", "visitors": 1},
        {"origin": "Other markets", "segment_group": "other", "visitors": 1},
    ]
    assert list(df["share"]) == [0.5, 0.25, 0.25]


def test_origin_mix_of_one_zone(con) -> None:
    df = presence.origin_mix(con, CURRENT, "zb", 10, floor=0)
    assert dict(zip(df["origin"], df["visitors"], strict=True)) == {"China": 2, "Chiang Mai residents": 1}


def test_top_places_city_zone_and_category(con) -> None:
    df = presence.top_places(con, CURRENT, floor=0)
    assert df[["place_id", "visits", "avg_dwell_minutes"]].to_dict("records") == [
        {"place_id": "p_temple", "visits": 2, "avg_dwell_minutes": 90.0},
        {"place_id": "p_market", "visits": 1, "avg_dwell_minutes": 30.0},
    ]
    assert list(presence.top_places(con, CURRENT, "zb", floor=0)["place_id"]) == ["p_market"]
    only_markets = Filters(start=CURRENT.start, end=CURRENT.end, categories=("market",))
    assert list(presence.top_places(con, only_markets, floor=0)["place_id"]) == ["p_market"]


def test_hour_profile_of_a_zone(con) -> None:
    df = presence.hour_profile(con, CURRENT, "za", floor=0)
    assert dict(zip(df["hour"], df["present"], strict=True)) == {9: 0.5, 10: 0.5, 13: 0.5, 14: 0.5}


def test_zone_summary(con) -> None:
    s = presence.zone_summary(con, CURRENT, "zb", floor=0)
    assert (s.name_en, s.visitors, s.overnight, s.residents, s.international) == ("Zone B", 3, 2, 1, 2)
    assert s.hours_per_visitor == 12.0  # (240 + 1440 + 480) minutes / 60 / 3 people-days
    assert s.avg_daily_visitors == 1.5
    assert s.suppressed is False
    assert presence.zone_summary(con, CURRENT, "nowhere", floor=0) is None


def test_cell_density_average_per_slot(con) -> None:
    df = presence.cell_density(con, CURRENT, floor=0)
    got = {r["cell"]: (r["zone_id"], r["visitor_hours"], r["present"]) for r in df.to_dict("records")}
    assert got == {CELL_A: ("za", 6, 6 / 96), CELL_B: ("zb", 2, 2 / 96)}  # 4 January days x 24 hours
    one_hour = presence.cell_density(con, CURRENT, "range", 10, floor=0)
    assert dict(zip(one_hour["cell"], one_hour["present"], strict=True)) == {CELL_A: 0.75, CELL_B: 0.25}
    assert presence.cell_density(con, CURRENT, "hot", floor=0).empty  # no March-May data


def test_cell_detail_matches_density(con) -> None:
    lat, lon = h3.cell_to_latlng(format(CELL_A, "x"))
    d = presence.cell_detail(con, lat, lon, CURRENT, floor=0)
    assert (d.cell, d.zone_id, d.present) == (CELL_A, "za", 6 / 96)
    assert (d.peak_hour, d.peak_present) == (10, 0.75)
    assert presence.cell_detail(con, 13.75, 100.5, CURRENT, floor=0) is None  # Bangkok: not an atlas cell


def test_cell_centre_validates_cells() -> None:
    lat, lon = presence.cell_centre(format(CELL_A, "x"))
    assert presence.cell_at(lat, lon) == CELL_A
    assert presence.cell_centre("88zz") is None
    assert presence.cell_centre(h3.latlng_to_cell(18.79, 98.98, 7)) is None  # wrong resolution


def test_season_months() -> None:
    f = Filters(start=date(2025, 11, 20), end=date(2026, 1, 3))
    assert presence.season_months("range", f) == (1, 11, 12)
    assert presence.season_months("cool", f) == (11, 12, 1, 2)
    assert presence.season_months("m7", f) == (7,)
    with pytest.raises(FilterError, match="Unknown season or month"):
        presence.season_months("winter", f)


def test_services_say_when_flows_are_missing() -> None:
    c = connect(":memory:")
    try:
        with pytest.raises(DataNotBuiltError, match="make build"):
            presence.kpis(c, CURRENT)
    finally:
        c.close()


def test_festival_days_reads_the_simulator_calendar(tmp_path) -> None:
    (tmp_path / "calendar.csv").write_text(
        "kind,month,weekday,date_from,date_to,factor,applies_to,name,source\n"
        "month,1,,,,1.35,all,January,x\n"
        "festival,,,2026-04-13,2026-04-15,2.20,all,Songkran 2026,x\n"
        "festival,,,2025-11-05,2025-11-06,2.60,all,Yi Peng 2025,x\n",
        encoding="utf-8",
    )
    df = presence.festival_days(None, tmp_path / "calendar.csv")
    assert list(df["name"]) == ["Yi Peng 2025", "Songkran 2026"]
    assert [str(d.date()) for d in df["start"]] == ["2025-11-05", "2026-04-13"]
    assert [str(d.date()) for d in df["end"]] == ["2025-11-07", "2026-04-16"]


def test_festival_days_without_calendar_is_empty(tmp_path) -> None:
    assert presence.festival_days(None, tmp_path / "calendar.csv").empty


# --- map builders -------------------------------------------------------------------------------------------


def test_class_breaks_are_increasing_and_cover_the_maximum() -> None:
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]
    b = presence_maps.class_breaks(values)
    assert b == sorted(set(b)) and b[-1] == 100
    assert [presence_maps.class_of(v, b) for v in (1, 100)] == [0, len(b) - 1]
    assert presence_maps.class_breaks([]) == []
    assert presence_maps.class_breaks([5, 5, 5]) == [5]


def test_heat_scale_ignores_a_single_outlier() -> None:
    assert presence_maps.heat_scale([5.0] * 20 + [1000.0]) == 5.0
    assert presence_maps.heat_scale([0.0, 0.0]) == 0.0


def test_hex_rows_decode_to_the_h3_boundary() -> None:
    cells = pd.DataFrame({"cell": [CELL_A, CELL_B], "present": [2.0, 1.0]})
    template, rows = presence_maps.hex_rows(cells, "present", [1.0, 2.0])
    for row, cell in zip(rows, (CELL_A, CELL_B), strict=True):
        ring = h3.cell_to_boundary(format(cell, "x"))
        decoded = [((row[2] + template[2 * i] + row[4 + 2 * i]) / presence_maps.SCALE,
                    (row[3] + template[2 * i + 1] + row[5 + 2 * i]) / presence_maps.SCALE) for i in range(len(ring))]
        assert decoded == [(round(lat, 5), round(lon, 5)) for lat, lon in ring]
    assert [r[0] for r in rows] == [1, 0]


def _many_cells(n: int) -> pd.DataFrame:
    centre = h3.latlng_to_cell(18.7883, 98.9853, 8)
    ids = sorted(h3.grid_disk(centre, 70))[:n]
    lat_lon = [h3.cell_to_latlng(c) for c in ids]
    return pd.DataFrame({"cell": [int(c, 16) for c in ids], "lat": [p[0] for p in lat_lon],
                         "lon": [p[1] for p in lat_lon], "present": [float(i % 97) + 0.5 for i in range(n)],
                         "zone_id": "x"})


def test_map_payloads_stay_under_one_megabyte_for_10k_cells() -> None:
    cells = _many_cells(10_000)
    hexes = presence_maps.choropleth_map(cells)
    heat = presence_maps.heat_map(cells)
    assert presence_maps.payload_bytes(hexes) < 1_000_000
    assert presence_maps.payload_bytes(heat) < 1_000_000


def test_maps_escape_zone_names_and_have_legend_and_control(con) -> None:
    from geo.services import geography

    zones = geography.zones_geojson(con)
    cells = presence.cell_density(con, CURRENT, floor=0)
    for m in (presence_maps.heat_map(cells, zones, note="<i>n</i>"), presence_maps.choropleth_map(cells, zones)):
        html = m.get_root().render()
        assert "Zone A <b>" not in html
        assert "Zone A \\u0026lt;b\\u0026gt;" in html  # escaped, then JSON-encoded by folium
        assert "atlas-legend" in html and "L.control.layers" in html
    empty = presence_maps.choropleth_map(cells.iloc[0:0], zones).get_root().render()
    assert "No data for this selection" in empty


def test_public_mode_hides_counts_below_the_privacy_floor(con, monkeypatch) -> None:
    floor = 2
    mix = presence.origin_mix(con, CURRENT, "", 10, floor=floor)
    assert dict(zip(mix["origin"], mix["visitors"], strict=True)) == {"China": 2, "Other markets": 2}
    assert list(presence.top_places(con, CURRENT, floor=floor)["place_id"]) == ["p_temple"]


def test_public_cell_figures_sum_only_units_at_or_above_the_floor(crowd, monkeypatch) -> None:
    officials = presence.cell_density(crowd, CURRENT, floor=0)
    assert dict(zip(officials["cell"], officials["visitor_hours"], strict=True)) == {CELL_A: 15, CELL_B: 5}
    floor = 3
    public = presence.cell_density(crowd, CURRENT, floor=floor)
    assert dict(zip(public["cell"], public["visitor_hours"], strict=True)) == {CELL_A: 12}  # 4 + 5 + 3
    lat, lon = h3.cell_to_latlng(format(CELL_A, "x"))
    detail = presence.cell_detail(crowd, lat, lon, CURRENT, floor=floor)
    days = crowd.execute("select count(*) from presence_days where month = 1").fetchone()[0]
    assert days == 5  # 7, 8, 14, 21 and 28 January
    assert not detail.suppressed
    assert dict(zip(detail.hours["hour"], detail.hours["present"] * days, strict=True)) == {9: 4, 10: 5, 13: 3}
    # the total is the sum of the shown hours (all 24 selected), so no hidden hour can be recovered from it
    assert detail.present * 24 * days == pytest.approx(12)
    assert public["present"].iloc[0] == pytest.approx(detail.present)
    # a narrower hour range differs from a wider one by shown units only: 10:00 alone is 5, not 5 + 2 + 1
    ten = presence.cell_density(crowd, CURRENT, "range", 10, floor=floor)
    assert list(ten["visitor_hours"]) == [5]
    # cell B: 5 device-hours, but one resident and one device seen on four Wednesdays
    lat, lon = h3.cell_to_latlng(format(CELL_B, "x"))
    hidden = presence.cell_detail(crowd, lat, lon, CURRENT, floor=floor)
    assert hidden.suppressed and hidden.hours.empty and hidden.present == 0.0
    profile = crowd.execute("select visitors, devices from presence_cell_profile where cell = $c "
                            "and segment_group = 'domestic'", {"c": CELL_B}).fetchall()
    assert profile == [(4, 1)]


def test_public_mode_merges_small_origins_so_none_is_recoverable(con, monkeypatch) -> None:
    floor = 2
    # zone B: China 2, residents 1 -> "Other markets" 1 would be below the floor, so China is folded in
    mix = presence.origin_mix(con, CURRENT, "zb", 10, floor=floor)
    assert mix[["origin", "visitors", "share"]].to_dict("records") == [
        {"origin": "Other markets", "visitors": 3, "share": 1.0}]
    floor = 5
    assert presence.origin_mix(con, CURRENT, floor=floor).empty


def test_public_mode_drops_hours_below_the_floor(con, monkeypatch) -> None:
    floor = 2
    profile = presence.hour_profile(con, CURRENT, floor=floor)
    assert list(profile["hour"]) == [10]  # 2 people-hours at 10:00; every other hour has 1
    assert (profile["visitor_hours"] >= 2).all()
    assert presence.hour_profile(con, CURRENT, "za", floor=floor).empty


def test_public_mode_withholds_a_small_zone_and_breakdowns_with_their_complement(con, monkeypatch) -> None:
    floor = 2
    s = presence.zone_summary(con, CURRENT, "zb", floor=floor)  # 3 people-days: 2 overnight, 0 day-tripper, 1 resident
    assert not s.suppressed and s.visitors == 3
    assert s.overnight is s.day_trippers is s.residents is None
    assert s.international is None and s.international_share is None  # 2 international, 1 resident
    floor = 4
    s = presence.zone_summary(con, CURRENT, "zb", floor=floor)
    assert s.suppressed and s.visitors is None and s.hours_per_visitor is None
    assert s.name_en == "Zone B"


def test_officials_see_every_count(con) -> None:
    assert len(presence.cell_density(con, CURRENT, floor=0)) == 2
