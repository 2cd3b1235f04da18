"""The pipeline SQL (pings → stays → place visits → hourly presence → trips), exact on hand-built pings."""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import h3
import pytest

from geo import sql
from geo.build.pipeline import PipelineParams, run_pipeline
from geo.settings import H3_RESOLUTION
from tests.pipeline_fixtures import TIE_POINT, load_pings, pipe_world, place_point

BKK, CR, CN, KR, US, RES = (
    "domestic:Bangkok", "domestic:Chiang Rai", "international:CN", "international:KR", "international:US", "resident",
)
D = "2025-11-10"   # a Monday
N = "2025-11-11"
M_PER_DEG_LAT = 111_195.0


def at(place_id: str, *, north_m: float = 0.0, east_m: float = 0.0) -> tuple[float, float]:
    """(lon, lat) of a place shifted by metres."""
    lon, lat = place_point(place_id)
    return lon + east_m / (M_PER_DEG_LAT * 0.9466), lat + north_m / M_PER_DEG_LAT


def midway(a: str, b: str) -> tuple[float, float]:
    (x0, y0), (x1, y1) = place_point(a), place_point(b)
    return (x0 + x1) / 2, (y0 + y1) / 2


def pings_at(device: int, segment: str, where: tuple[float, float], *times: str) -> list[tuple]:
    return [(device, t, where[0], where[1], segment) for t in times]


PINGS = [
    # 1: a single ping makes no stay
    *pings_at(1, BKK, at("att-temple"), f"{D} 10:00:00"),
    # 2: a stay crossing midnight at the gate, a moving ping, then a night at the hotel (overnight)
    *pings_at(2, BKK, at("att-gate"), f"{D} 23:20:00", f"{D} 23:30:00", f"{D} 23:45:00", f"{N} 00:05:00",
              f"{N} 00:20:00"),
    *pings_at(2, BKK, midway("att-gate", "acc-hotel"), f"{N} 00:30:00"),
    *pings_at(2, BKK, at("acc-hotel"), f"{N} 00:40:00", f"{N} 01:30:00", f"{N} 02:30:00", f"{N} 03:30:00"),
    # 3: exactly the minimum stay (15:00) is a stay; 4: one second short is not
    *pings_at(3, CN, at("att-temple"), f"{D} 10:00:00", f"{D} 10:15:00"),
    *pings_at(4, CN, at("att-temple"), f"{D} 11:00:00", f"{D} 11:14:59"),
    # 5: two places equally near (105 m west and east): the smallest place_id wins
    *pings_at(5, KR, TIE_POINT, f"{D} 12:00:00", f"{D} 12:10:00", f"{D} 12:20:00"),
    # 6: one stray ping 800 m away inside a stay is bridged
    *pings_at(6, KR, at("att-temple"), f"{D} 09:00:00", f"{D} 09:10:00", f"{D} 09:20:00"),
    *pings_at(6, KR, at("att-temple", north_m=800), f"{D} 09:30:00"),
    *pings_at(6, KR, at("att-temple"), f"{D} 09:40:00", f"{D} 09:50:00"),
    # 7: two stays at the temple in one hour, a three-ping walk between: one device in that hour,
    #    two stays, one place visit
    *pings_at(7, CN, at("att-temple"), f"{D} 10:00:00", f"{D} 10:10:00", f"{D} 10:20:00"),
    *pings_at(7, CN, at("att-temple", east_m=300), f"{D} 10:25:00"),
    *pings_at(7, CN, at("att-temple", east_m=600), f"{D} 10:30:00"),
    *pings_at(7, CN, at("att-temple", east_m=300), f"{D} 10:35:00"),
    *pings_at(7, CN, at("att-temple"), f"{D} 10:40:00", f"{D} 10:55:00"),
    # 8: leaves the gate at 23:50, reaches the hotel at 00:20: the trip counts on the first day
    *pings_at(8, CR, at("att-gate"), f"{D} 22:00:00", f"{D} 22:30:00", f"{D} 23:00:00", f"{D} 23:30:00",
              f"{D} 23:50:00"),
    *pings_at(8, CR, midway("att-gate", "acc-hotel"), f"{N} 00:05:00"),
    *pings_at(8, CR, at("acc-hotel"), f"{N} 00:20:00", f"{N} 02:00:00", f"{N} 04:00:00", f"{N} 06:00:00",
              f"{N} 08:00:00"),
    # 9: a resident's night at home 150 m from an open market: a home stay, no place
    *pings_at(9, RES, at("att-market", north_m=150), f"{D} 20:00:00", f"{D} 22:00:00", f"{N} 01:00:00",
              f"{N} 05:00:00", f"{N} 07:00:00"),
    # 10: a zone without cells in the cells table: zone by exact containment
    *pings_at(10, US, at("att-north-view"), f"{D} 14:00:00", f"{D} 14:30:00"),
    # 11: 50 m from the market while it is closed (opens 18:00): no place
    *pings_at(11, US, at("att-market", north_m=50), f"{D} 10:00:00", f"{D} 10:20:00", f"{D} 10:40:00",
              f"{D} 11:00:00"),
]


def ts(text: str) -> datetime:
    return datetime.fromisoformat(text)


COUNTS: dict[str, int] = {}


@pytest.fixture(scope="module", params=["stream", "sql"])
def con(request: pytest.FixtureRequest) -> duckdb.DuckDBPyConnection:
    """The hand-built world through the pipeline, once per stay engine (every exact test runs on both)."""
    con = pipe_world()
    load_pings(con, PINGS)
    COUNTS.clear()
    COUNTS.update(run_pipeline(con, engine=request.param))
    yield con
    con.close()


def rows(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> list[tuple]:
    return con.execute(query, params).fetchall()


def test_stays_exact(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, """
        select device, stay_start, stay_end, place_id, zone_id, visitor_type, segment, n_pings, dwell_minutes
        from stays order by device, stay_start""")
    assert got == [
        (2, ts(f"{D} 23:20"), ts(f"{N} 00:20"), "att-gate", "west", "overnight", BKK, 5, 60.0),
        (2, ts(f"{N} 00:40"), ts(f"{N} 03:30"), "acc-hotel", "east", "overnight", BKK, 4, 170.0),
        (3, ts(f"{D} 10:00"), ts(f"{D} 10:15"), "att-temple", "west", "day_tripper", CN, 2, 15.0),
        (5, ts(f"{D} 12:00"), ts(f"{D} 12:20"), "att-tie-a", "west", "day_tripper", KR, 3, 20.0),
        (6, ts(f"{D} 09:00"), ts(f"{D} 09:50"), "att-temple", "west", "day_tripper", KR, 5, 50.0),
        (7, ts(f"{D} 10:00"), ts(f"{D} 10:20"), "att-temple", "west", "day_tripper", CN, 3, 20.0),
        (7, ts(f"{D} 10:40"), ts(f"{D} 10:55"), "att-temple", "west", "day_tripper", CN, 2, 15.0),
        (8, ts(f"{D} 22:00"), ts(f"{D} 23:50"), "att-gate", "west", "overnight", CR, 5, 110.0),
        (8, ts(f"{N} 00:20"), ts(f"{N} 08:00"), "acc-hotel", "east", "overnight", CR, 5, 460.0),
        (9, ts(f"{D} 20:00"), ts(f"{N} 07:00"), None, "east", "resident", RES, 5, 660.0),
        (10, ts(f"{D} 14:00"), ts(f"{D} 14:30"), "att-north-view", "north", "day_tripper", US, 2, 30.0),
        (11, ts(f"{D} 10:00"), ts(f"{D} 11:00"), None, "east", "day_tripper", US, 4, 60.0),
    ]


def test_single_ping_and_short_stay_make_no_stay(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, "select count(*) from stays where device in (1, 4)") == [(0,)]


def test_stay_centre_and_cell(con: duckdb.DuckDBPyConnection) -> None:
    lon, lat, cell = rows(con, "select lon, lat, cell from stays where device = 6")[0]
    temple = place_point("att-temple")
    assert (lon, lat) == pytest.approx(temple, abs=1e-9)  # the outlier is not part of the centre
    assert cell == h3.str_to_int(h3.latlng_to_cell(round(lat, 4), round(lon, 4), H3_RESOLUTION))


def test_equidistant_places_tie_to_smallest_id(con: duckdb.DuckDBPyConnection) -> None:
    place, distance = rows(con, "select place_id, place_distance_m from stays where device = 5")[0]
    assert place == "att-tie-a"
    assert distance == pytest.approx(0.001 * 111_195 * 0.9466, abs=0.2)


def test_place_visits_exact(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, """
        select device, place_id, visit_start, visit_end, dwell_minutes, n_stays, visitor_type
        from place_visits order by device, visit_start""")
    assert got == [
        (2, "att-gate", ts(f"{D} 23:20"), ts(f"{N} 00:20"), 60.0, 1, "overnight"),
        (2, "acc-hotel", ts(f"{N} 00:40"), ts(f"{N} 03:30"), 170.0, 1, "overnight"),
        (3, "att-temple", ts(f"{D} 10:00"), ts(f"{D} 10:15"), 15.0, 1, "day_tripper"),
        (5, "att-tie-a", ts(f"{D} 12:00"), ts(f"{D} 12:20"), 20.0, 1, "day_tripper"),
        (6, "att-temple", ts(f"{D} 09:00"), ts(f"{D} 09:50"), 50.0, 1, "day_tripper"),
        (7, "att-temple", ts(f"{D} 10:00"), ts(f"{D} 10:55"), 55.0, 2, "day_tripper"),
        (8, "att-gate", ts(f"{D} 22:00"), ts(f"{D} 23:50"), 110.0, 1, "overnight"),
        (8, "acc-hotel", ts(f"{N} 00:20"), ts(f"{N} 08:00"), 460.0, 1, "overnight"),
        (10, "att-north-view", ts(f"{D} 14:00"), ts(f"{D} 14:30"), 30.0, 1, "day_tripper"),
    ]


def test_trips_exact(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, """
        select day, level, origin, destination, segment, visitor_type, trips
        from trips order by level desc, day, segment""")
    assert got == [
        (date(2025, 11, 10), "zone", "west", "east", CR, "overnight", 1),
        (date(2025, 11, 11), "zone", "west", "east", BKK, "overnight", 1),
        (date(2025, 11, 10), "place", "att-gate", "acc-hotel", CR, "overnight", 1),
        (date(2025, 11, 11), "place", "att-gate", "acc-hotel", BKK, "overnight", 1),
    ]


def test_visits_hourly_counts_devices_once_per_hour(con: duckdb.DuckDBPyConnection) -> None:
    (temple_cell,) = rows(con, "select cell from stays where device = 3")[0]
    got = rows(con, """
        select ts_hour, visitors, dwell_minutes from visits_hourly
        where cell = ? and segment = ? order by ts_hour""", [temple_cell, CN])
    # devices 3 (10:00-10:15) and 7 (10:00-10:20 and 10:40-10:55): two devices, 50 minutes
    assert got == [(ts(f"{D} 10:00"), 2, 50.0)]


def test_visits_hourly_splits_a_stay_across_midnight(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, """
        select ts_hour, zone_id, visitor_type, visitors, dwell_minutes from visits_hourly
        where segment = ? and zone_id = 'west' order by ts_hour""", [BKK])
    assert got == [
        (ts(f"{D} 23:00"), "west", "overnight", 1, 40.0),
        (ts(f"{N} 00:00"), "west", "overnight", 1, 20.0),
    ]


def test_visits_hourly_stay_ending_on_the_hour(con: duckdb.DuckDBPyConnection) -> None:
    got = rows(con, "select ts_hour, visitors, dwell_minutes from visits_hourly where segment = ? order by ts_hour", [RES])
    assert [r[0].hour for r in got] == [20, 21, 22, 23, 0, 1, 2, 3, 4, 5, 6]  # 07:00 end touches no 07:00 hour
    assert all(r[1:] == (1, 60.0) for r in got)


def test_visits_hourly_keeps_every_minute(con: duckdb.DuckDBPyConnection) -> None:
    (stay_minutes, hourly_minutes), = rows(con, """
        select (select sum(dwell_minutes) from stays), (select sum(dwell_minutes) from visits_hourly)""")
    assert hourly_minutes == pytest.approx(stay_minutes)


def test_row_counts_returned(con: duckdb.DuckDBPyConnection) -> None:
    assert COUNTS == {
        "stays": 12,
        "place_visits": 9,
        "visits_hourly": rows(con, "select count(*) from visits_hourly")[0][0],
        "trips": 4,
    }


def test_pipeline_reruns_identically(con: duckdb.DuckDBPyConnection) -> None:
    before = rows(con, "select * from stays order by device, stay_start")
    run_pipeline(con)
    assert rows(con, "select * from stays order by device, stay_start") == before
    assert rows(con, "select count(*) from duckdb_tables() where table_name in ('stay_candidates', 'stay_cells', 'detected_stays')") == [(0,)]
    assert rows(con, "select current_setting('preserve_insertion_order')") == [(True,)]  # restored


def test_longer_minimum_stay_drops_short_stays() -> None:
    con = pipe_world()
    load_pings(con, PINGS)
    counts = run_pipeline(con, PipelineParams(min_stay_minutes=20))
    assert counts["stays"] == 10  # the 15-minute stays of devices 3 and 7 go
    con.close()


@pytest.mark.parametrize(
    "bad", [{"stay_radius_m": 0}, {"min_stay_minutes": -1}, {"night_hour": 24}, {"max_gap_minutes": 5}],
)
def test_params_are_checked(bad: dict) -> None:
    with pytest.raises(ValueError):
        PipelineParams(**bad)


def test_pipeline_query_files_take_named_parameters() -> None:
    text = sql.load_query("build/detect_stays_sql")
    assert sql.declared_params(text) == {
        "ref_lon", "ref_lat", "earth_radius_m", "stay_radius_m", "min_stay_minutes", "max_gap_minutes",
        "max_outliers",
    }
    projection = {"ref_lon", "ref_lat", "earth_radius_m"}
    assert sql.declared_params(sql.load_query("build/stay_stream")) == projection
    assert sql.declared_params(sql.load_query("build/create_stay_candidates")) == projection


def test_unknown_engine_is_refused() -> None:
    con = pipe_world()
    load_pings(con, PINGS)
    with pytest.raises(ValueError, match="engine"):
        run_pipeline(con, engine="spark")
    con.close()


@pytest.mark.parametrize("engine", ["stream", "sql"])
def test_no_places_loaded_still_gives_stays(engine: str) -> None:
    con = pipe_world()
    load_pings(con, PINGS)
    con.execute("delete from places")
    counts = run_pipeline(con, engine=engine)
    assert counts["stays"] == 12 and counts["place_visits"] == 0
    assert rows(con, "select count(*) from stays where place_id is not null") == [(0,)]
    con.close()


@pytest.mark.parametrize("engine", ["stream", "sql"])
def test_whole_minute_settings_given_as_integers(engine: str) -> None:
    # 720 minutes in microseconds overflows a 32-bit integer: the SQL multiplies in double precision
    con = pipe_world()
    load_pings(con, PINGS)
    params = PipelineParams(min_stay_minutes=15, max_gap_minutes=720, visit_merge_gap_minutes=30)
    assert run_pipeline(con, params, engine=engine) == run_pipeline(con, engine=engine)
    con.close()


@pytest.mark.parametrize("engine", ["stream", "sql"])
def test_pings_without_a_position_are_skipped(engine: str) -> None:
    con = pipe_world()
    where = at("att-temple")
    load_pings(con, [
        *pings_at(1, CN, where, f"{D} 10:00:00", f"{D} 10:05:00"),
        (1, f"{D} 10:07:00", float("nan"), where[1], CN),   # inside the stay: skipped, the stay goes on
        *pings_at(1, CN, where, f"{D} 10:10:00", f"{D} 10:20:00"),
        *pings_at(2, CN, where, f"{D} 11:00:00", f"{D} 11:10:00"),
        (2, f"{D} 11:20:00", where[0], float("nan"), CN),   # would have ended the stay: no stay is left
    ])
    run_pipeline(con, engine=engine)
    assert rows(con, "select device, stay_start, stay_end, n_pings from stays order by device") == [
        (1, ts(f"{D} 10:00:00"), ts(f"{D} 10:20:00"), 4),
    ]
    con.close()
