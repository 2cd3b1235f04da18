"""Hand-made visitor-flow tables (visits_hourly, trips, place_visits) for service and page tests.

Used until the session database carries simulated flows: tables are created from DataFrames (no SQL
text here) with the contract's column types, then the rollups in ``queries/rollups`` are run on them.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from geo import sql
from geo.build import rollups
from geo.build.run import BuildOptions, _record_meta, build_database
from geo.db import connect
from geo.settings import ROOT
from tests.seed_fixtures import PLACES, write_seed

VISITS_COLUMNS = ("ts_hour", "cell", "zone_id", "segment", "visitor_type", "visitors", "dwell_minutes")
TRIPS_COLUMNS = ("day", "level", "origin", "destination", "segment", "visitor_type", "trips")
#: Rollup files these fixtures run (part B's 2x and 3x files; 1x files read stays, which are not built here).
OWN_ROLLUP_PREFIXES = ("2", "3")
PLACE_VISITS_COLUMNS = ("device", "place_id", "visit_start", "visit_end", "dwell_minutes", "segment", "visitor_type")


def visits_frame(rows: list[tuple]) -> pd.DataFrame:
    """visits_hourly rows (ts_hour, cell, zone_id, segment, visitor_type, visitors, dwell_minutes)."""
    df = pd.DataFrame(rows, columns=list(VISITS_COLUMNS))
    return df.astype({"cell": "uint64", "visitors": "int32", "dwell_minutes": "float64"})


def trips_frame(rows: list[tuple]) -> pd.DataFrame:
    """trips rows (day, level, origin, destination, segment, visitor_type, trips)."""
    df = pd.DataFrame(rows, columns=list(TRIPS_COLUMNS))
    return df.astype({"trips": "int32"})


def place_visits_frame(rows: list[tuple]) -> pd.DataFrame:
    """place_visits rows (device, place_id, visit_start, visit_end, dwell_minutes, segment, visitor_type)."""
    df = pd.DataFrame(rows, columns=list(PLACE_VISITS_COLUMNS))
    return df.astype({"device": "uint64", "dwell_minutes": "float64"})


def add_flows(
    con: duckdb.DuckDBPyConnection,
    visits: pd.DataFrame,
    trips: pd.DataFrame,
    place_visits: pd.DataFrame,
) -> list[str]:
    """Create the three flow tables from frames and run part B's rollups (2x/3x files); returns their names."""
    con.from_df(visits).create("visits_hourly")
    con.from_df(trips).create("trips")
    con.from_df(place_visits).create("place_visits")
    con.execute("create table stays (device ubigint)")  # no stays: 15_cell_arrivals reads it (empty view)
    # with the temp view the place rollups read when there are no place visits (15_cell_arrivals)
    sql.execute(con, "schema/create_expansion_weights")  # no weights fitted: est_people = the observed counts
    names = [n for n in rollups.rollup_names()
             if n.split("/", 1)[1][:1] in OWN_ROLLUP_PREFIXES or n == "rollups/15_cell_arrivals"]
    for name in names:
        sql.execute(con, name)
    return names


def tiny_seed_db(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """In-memory database with the two-zone, six-place seed of ``tests.seed_fixtures`` (no flows)."""
    from geo.build.run import load_seed

    con = connect(":memory:")
    load_seed(con, write_seed(tmp_path / "seed"))
    return con


def synthetic_flows(con: duckdb.DuckDBPyConnection, start: date, days: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """Deterministic flows over the zones and places of ``con``: busier weekends, three segments.

    Every zone gets overnight visitors at 02:00 (more on Fri/Sat evenings, more international than
    domestic); zone and place trips between every ordered pair of the first zones/attractions.
    """
    rng = np.random.default_rng(seed)
    zones = sql.fetch_df(con, "app/zones", {"level": "tourism_zone"})["zone_id"].tolist()
    places = sql.fetch_df(con, "app/places", {"layers": ["attraction"], "categories": []})
    places = places[places["zone_id"].notna()].head(12)
    cells = {z: i + 1 for i, z in enumerate(zones)}
    segments = (("international:CN", 3), ("domestic:Bangkok", 2), ("resident", 1))
    visits, trips, pv = [], [], []
    device = 0
    for d in range(days):
        day = start + timedelta(days=d)
        weekend = 2 if day.weekday() in (4, 5) else 1
        for z in zones:
            for seg, weight in segments:
                vtype = "resident" if seg == "resident" else "overnight"
                n = int(rng.integers(5, 15)) * weight * weekend
                for hour in (2, 11, 20):
                    visits.append((datetime(day.year, day.month, day.day, hour), cells[z], z, seg, vtype, n, 60.0 * n))
        for i, o in enumerate(zones[:6]):
            for j, dst in enumerate(zones[:6]):
                for seg, weight in segments:
                    n = int(rng.integers(1, 6)) * weight * weekend * (1 + (i + j) % 3)
                    trips.append((day, "zone", o, dst, seg, "day_tripper", n))
        ids = places["place_id"].tolist()
        for i, o in enumerate(ids[:6]):
            for dst in ids[i + 1: i + 3]:
                trips.append((day, "place", o, dst, "international:CN", "overnight", int(rng.integers(1, 9)) * weekend))
        for pid in ids:
            for seg, weight in segments:
                for _ in range(weight * weekend):
                    device += 1
                    hour = int(rng.integers(8, 20))
                    t0 = datetime(day.year, day.month, day.day, hour, int(rng.integers(0, 60)))
                    dwell = float(rng.integers(20, 120))
                    pv.append((device, pid, t0, t0 + timedelta(minutes=dwell), dwell, seg,
                               "resident" if seg == "resident" else "overnight"))
    return {
        "visits": visits_frame(visits),
        "trips": trips_frame(trips),
        "place_visits": place_visits_frame(pv),
    }


#: Extra accommodation added to the real seed for page tests (the real seed may not carry any yet).
TEST_ACCOMMODATION = [(f"acc-zz-test-{row[0][4:]}", *row[1:]) for row in PLACES if row[1] == "accommodation"]


def build_flows_db(path: Path, *, start: date = date(2025, 11, 1), days: int = 28) -> Path:
    """A database from the real seed plus two test hotels and synthetic flows, rollups built; returns path."""
    seed_dir = path.parent / "seed"
    shutil.copytree(ROOT / "data" / "seed", seed_dir, dirs_exist_ok=True)
    write_seed(path.parent / "extra", places=TEST_ACCOMMODATION)
    shutil.copyfile(path.parent / "extra" / "places" / "test.csv", seed_dir / "places" / "zz_test_accommodation.csv")
    build_database(path, BuildOptions(flows=False, seed_dir=seed_dir))
    con = connect(path)
    try:
        frames = synthetic_flows(con, start, days)
        add_flows(con, frames["visits"], frames["trips"], frames["place_visits"])
        _record_meta(con, "flows", simulated=True, seed_value=7, sources="SIMULATED test flows (tests/flow_fixtures.py)",
                     params={"days": days})
    finally:
        con.close()
    return path


# ---------------------------------------------------------------------------------------------------------
# The tiny hand-made dataset for exact service tests (zones west/east of tests.seed_fixtures).
# ---------------------------------------------------------------------------------------------------------

#: Extra places: names with % and _ (search must treat them literally) and one place outside every zone.
TINY_EXTRA_PLACES = [
    ("att-cafe-pct", "attraction", "cafe_lifestyle", "Cafe 100% Lanna", "คาเฟ่ร้อยเปอร์เซ็นต์", 18.7890, 98.9850,
     "", "", "", "true", "", "", "test"),
    ("att-cafe-underscore", "attraction", "cafe_lifestyle", "Cafe_Noir", "คาเฟ่นัวร์", 18.7895, 98.9860,
     "", "", "", "true", "", "", "test"),
    ("att-cafe-x", "attraction", "cafe_lifestyle", "CafeXNoir", "คาเฟ่เอ็กซ์", 18.7896, 98.9862,
     "", "", "", "true", "", "", "test"),
    ("att-far-hill", "attraction", "nature", "Far Hill", "ดอยไกล", 18.9000, 98.9000,
     "", "", "", "true", "", "", "test"),
]


def _ts(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2025, month, day, hour, minute)


def tiny_flows(cells: dict[str, int]) -> dict[str, pd.DataFrame]:
    """The exact-test flows; ``cells`` maps 'west'/'east' to a real H3 cell of that zone.

    Nights (02:00 overnight presence): Sat 1 Nov: west 12 (international:CN) + 6 (domestic:Bangkok), east 120
    (domestic:Lampang); Sun 2 Nov: west 30 (international:US). Rows that must not count: a resident at
    02:00, an overnight visitor at 03:00, a day-tripper at 14:00.
    Trips (zone): Sat 1 Nov west→east 10 + 3 (domestic), east→west 4 (international), west→west 7 (resident);
    Mon 3 Nov west→east 5 (resident), east→west 9 (international). Trips (place): Sat wat-phra-singh→
    night-bazaar 6 (international), Mon night-bazaar→tha-phae-gate 2 (domestic).
    Place visits: Wat Phra Singh Sat 1 Nov 09:15 (60 min, domestic) and 09:45 (30 min, international),
    Mon 3 Nov 14:00 (90 min, resident), Fri 5 Dec 10:00 (20 min, international:US); Night Bazaar Sat 19:00.
    """
    w, e = cells["west"], cells["east"]
    visits = visits_frame([
        (_ts(2, 2), w, "west", "international:CN", "overnight", 12, 720.0),
        (_ts(2, 2), w, "west", "domestic:Bangkok", "overnight", 6, 360.0),
        (_ts(3, 2), w, "west", "international:US", "overnight", 30, 1800.0),
        (_ts(2, 2), e, "east", "domestic:Lampang", "overnight", 120, 7200.0),
        (_ts(2, 2), w, "west", "resident", "resident", 50, 3000.0),
        (_ts(2, 3), w, "west", "international:CN", "overnight", 99, 5940.0),
        (_ts(2, 14), e, "east", "domestic:Bangkok", "day_tripper", 40, 2400.0),
    ])
    d1, d3 = date(2025, 11, 1), date(2025, 11, 3)
    trips = trips_frame([
        (d1, "zone", "west", "east", "domestic:Bangkok", "day_tripper", 10),
        (d1, "zone", "west", "east", "domestic:Lampang", "day_tripper", 3),
        (d1, "zone", "east", "west", "international:CN", "overnight", 4),
        (d1, "zone", "west", "west", "resident", "resident", 7),
        (d3, "zone", "west", "east", "resident", "resident", 5),
        (d3, "zone", "east", "west", "international:US", "overnight", 9),
        (d1, "place", "att-wat-phra-singh", "att-night-bazaar", "international:CN", "overnight", 6),
        (d3, "place", "att-night-bazaar", "att-tha-phae-gate", "domestic:Bangkok", "day_tripper", 2),
    ])

    def visit(device: int, place: str, start: datetime, minutes: float, seg: str, vtype: str) -> tuple:
        return (device, place, start, start + timedelta(minutes=minutes), minutes, seg, vtype)

    place_visits = place_visits_frame([
        visit(1, "att-wat-phra-singh", _ts(1, 9, 15), 60, "domestic:Bangkok", "overnight"),
        visit(2, "att-wat-phra-singh", _ts(1, 9, 45), 30, "international:CN", "overnight"),
        visit(3, "att-wat-phra-singh", _ts(3, 14), 90, "resident", "resident"),
        visit(4, "att-wat-phra-singh", _ts(5, 10, month=12), 20, "international:US", "day_tripper"),
        visit(5, "att-night-bazaar", _ts(1, 19), 45, "international:CN", "overnight"),
    ])
    return {"visits": visits, "trips": trips, "place_visits": place_visits}


def tiny_db(tmp_path: Path, *, flows: bool = True) -> duckdb.DuckDBPyConnection:
    """In-memory tiny atlas (two zones, ten places) with the ``tiny_flows`` and part B's rollups."""
    from geo.build.run import load_seed

    con = connect(":memory:")
    load_seed(con, write_seed(tmp_path / "tiny-seed", places=PLACES + TINY_EXTRA_PLACES))
    if flows:
        cells = {
            zone: int(sql.fetch_one(con, "app/placeinfo_detail", {"place_id": pid})["cell"])
            for zone, pid in (("west", "att-wat-phra-singh"), ("east", "att-night-bazaar"))
        }
        frames = tiny_flows(cells)
        add_flows(con, frames["visits"], frames["trips"], frames["place_visits"])
    return con
