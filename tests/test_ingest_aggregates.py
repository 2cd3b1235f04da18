"""Importing an operator's aggregated tables (geo/ingest/aggregates.py): hourly presence per H3 cell or zone
(``--layer visits``) and daily origin-destination trips (``--layer trips``), the rollups without stays, and
the Data page's upload of a presence table."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb
import h3
import pytest

from geo.db import connect
from geo.errors import ImportRefusedError
from geo.ingest.run import ImportOptions, import_file
from geo.services import catalog, movement, presence
from geo.services.filters import Filters
from tests.import_fixtures import copy_database, fetch_one, sha256_of

DAY = date(2025, 11, 3)  # inside the session database's simulated range, so replacing it is visible


@pytest.fixture
def db(atlas_db: Path, tmp_path: Path) -> Path:
    return copy_database(atlas_db, tmp_path)


def _cells(db: Path, n: int) -> list[int]:
    """``n`` of the atlas's cells, with places in the first (so place figures have something to show)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return [r[0] for r in con.execute(
            "select c.cell from cells as c left join places as p using (cell) group by c.cell "
            "order by count(p.place_id) desc, c.cell limit $n", {"n": n}).fetchall()]
    finally:
        con.close()


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def _services(db: Path) -> tuple[int, int, int]:
    """(visitor-hours on the density map, people-days of the Overview, corridor + internal trips) for DAY."""
    con = connect(db, "officials", read_only=True)
    try:
        filters = Filters(start=DAY, end=DAY)
        density = presence.cell_density(con, filters, floor=0)
        kpis = presence.kpis(con, filters)
        flows = movement.flow_totals(con, filters, "zone")
        return int(density["visitor_hours"].sum()), kpis.current.visitors, flows.corridor_trips + flows.internal_trips
    finally:
        con.close()


def test_a_presence_table_by_cell_replaces_the_simulated_sample_on_the_density_map(db: Path, tmp_path: Path) -> None:
    a, b = _cells(db, 2)
    src = _write(tmp_path / "presence.csv",
                 "hour,h3,market,unique_devices,dwell\n"
                 f"2025-11-03 08:00,{h3.int_to_str(a)},domestic:Bangkok,12,300\n"
                 f"2025-11-03 09:00,{h3.int_to_str(a)},Foreign:cn,7,200\n"       # operator spelling, lower-case ISO
                 f"2025-11-03 09:00,{b},local,30,900\n")                          # integer cell, 'local' = resident
    assert _services(db)[0] > 0 and fetch_one(db, "select count(*) from stays")[0] > 0
    report = import_file(src, ImportOptions(layer="visits", attribution="Operator presence (test)"), db)
    assert (report.rows_read, report.accepted, report.rejected, report.written) == (3, 3, 0, True)
    assert fetch_one(db, "select sum(visitors), sum(dwell_minutes) from visits_hourly") == (49, 1400.0)
    assert fetch_one(db, "select string_agg(distinct segment, ',' order by segment) from visits_hourly") == (
        "domestic:Bangkok,international:CN,resident",)
    # the device-level sample and its trips are gone, not mixed with the feed
    assert fetch_one(db, "select (select count(*) from pings), (select count(*) from stays), "
                         "(select count(*) from place_visits), (select count(*) from trips)") == (0, 0, 0, 0)
    assert fetch_one(db, "select count(*) from meta where dataset = 'flows' or simulated") == (0,)
    assert fetch_one(db, "select sources from meta where dataset = 'presence'") == ("Operator presence (test)",)
    visitor_hours, people_days, trips = _services(db)
    assert visitor_hours == 49 and trips == 0
    # people-days without stays: the busiest hour per segment (12 + 7 + 30), stated as an estimate in meta
    assert people_days == 49
    con = connect(db, "officials", read_only=True)
    try:
        feeds = catalog.aggregated_feeds(con)
    finally:
        con.close()
    assert feeds.presence_by == "cell" and "people_days" in feeds.approximations and not feeds.trips


def test_a_presence_table_by_zone_is_spread_over_its_cells_keeping_every_zone_total(db: Path, tmp_path: Path) -> None:
    src = _write(tmp_path / "zones.csv",
                 "date,hour,zone,segment,visitors\n"
                 "2025-11-03,8,old_city,domestic,101\n"
                 "2025-11-03,9,Chiang Mai Airport,international:US,55\n"           # a zone by its English name
                 "2025-11-03,10,old_city,domestic,0\n")
    report = import_file(src, ImportOptions(layer="visits"), db)
    assert report.accepted == 3 and report.level == "tourism_zone"
    assert any("spread evenly" in n for n in report.field_notes)
    per_zone = dict(duckdb.connect(str(db), read_only=True).execute(
        "select z.zone_id, sum(v.visitors) from visits_hourly as v join cell_zones as z "
        "on z.cell = v.cell and z.level = 'tourism_zone' group by all").fetchall())
    assert per_zone == {"old_city": 101, "airport": 55}
    # whole devices on cells: no cell gets more than its share rounded up
    cells_old_city = fetch_one(db, "select count(*) from cell_zones where level = 'tourism_zone' and zone_id = 'old_city'")[0]
    assert fetch_one(db, "select max(visitors) from visits_hourly where zone_id = 'old_city'")[0] == -(-101 // cells_old_city)
    assert _services(db)[0] == 156
    con = connect(db, "officials", read_only=True)
    try:
        level = presence.level_density(con, Filters(start=DAY, end=DAY), floor=0)
    finally:
        con.close()
    shown = {z: v for z, v in zip(level["zone_id"], level["visitor_hours"], strict=True) if v}
    assert shown == {"old_city": 101, "airport": 55}


def test_people_days_without_stays_are_the_busiest_hour_and_a_window_its_own_peak(db: Path, tmp_path: Path) -> None:
    (cell,) = _cells(db, 1)
    src = _write(tmp_path / "day.csv", "ts_hour,cell,segment,visitors\n"
                 f"2025-11-03 08:00,{cell},domestic,10\n2025-11-03 09:00,{cell},domestic,30\n"
                 f"2025-11-03 10:00,{cell},domestic,20\n")
    import_file(src, ImportOptions(layer="visits"), db)
    window = ("select sum(visitors) from presence_daily where day = date '2025-11-03' "
              "and first_hour <= {b} and last_hour >= {a}")
    assert [fetch_one(db, window.format(a=a, b=b))[0] for a, b in ((0, 23), (8, 8), (10, 10), (9, 10))] == [30, 10, 20, 30]
    assert fetch_one(db, "select sum(visitors) from presence_zone_daily")[0] == 30
    # place visits from arrivals in the cell (10 at 08:00, 20 more at 09:00), shared by the cell's places
    assert fetch_one(db, "select sum(visits) from presence_place_daily")[0] == 30
    assert fetch_one(db, "select sum(visits) from place_profile")[0] == fetch_one(db, "select sum(visits) from place_origins")[0] == 30


def test_buddhist_era_dates_thai_month_names_and_cp874_are_read(db: Path, tmp_path: Path) -> None:
    (cell,) = _cells(db, 1)
    text = ("วันที่,ชั่วโมง,cell,segment,visitors\n"
            f"3 พ.ย. 2568,8,{h3.int_to_str(cell)},resident,4\n"
            f"3 พฤศจิกายน 2568,9,{h3.int_to_str(cell)},resident,6\n"
            f"03/11/2568,10,{h3.int_to_str(cell)},resident,5\n")
    src = _write(tmp_path / "thai.csv", text, encoding="cp874")
    report = import_file(src, ImportOptions(layer="visits"), db)
    assert report.encoding == "cp874" and report.accepted == 3
    assert fetch_one(db, "select min(ts_hour), max(ts_hour), sum(visitors) from visits_hourly") == (
        fetch_one(db, "select timestamp '2025-11-03 08:00', timestamp '2025-11-03 10:00', 15")
    )


def test_trips_import_and_the_flow_services_read_them(db: Path, tmp_path: Path) -> None:
    src = _write(tmp_path / "od.csv", "date,from,to,segment,trips\n"
                 "2568-11-03,old_city,nimman,domestic:Bangkok,40\n"
                 "2025-11-03,Chiang Mai Airport,old_city,inbound:cn,25\n"
                 "2025-11-03,old_city,old_city,local,5\n")
    report = import_file(src, ImportOptions(layer="trips", attribution="Operator OD (test)"), db)
    assert (report.accepted, report.rejected) == (3, 0)
    assert any("simulated visitor flows were removed" in a for a in report.after)
    con = connect(db, "officials", read_only=True)
    try:
        totals = movement.flow_totals(con, Filters(start=DAY, end=DAY), "zone")
        top = movement.top_corridors(con, Filters(start=DAY, end=DAY), "zone")
    finally:
        con.close()
    assert (totals.corridor_trips, totals.internal_trips, totals.corridors) == (65, 5, 2)
    assert list(zip(top["origin"], top["destination"], top["trips"], strict=True)) == [
        ("old_city", "nimman", 40), ("airport", "old_city", 25)]
    assert fetch_one(db, "select count(*) from meta where simulated") == (0,)
    # presence imported afterwards keeps the imported trips
    (cell,) = _cells(db, 1)
    import_file(_write(tmp_path / "p.csv", f"ts_hour,cell,visitors\n2025-11-03 08:00,{cell},3\n"),
                ImportOptions(layer="visits"), db)
    assert fetch_one(db, "select sum(trips) from od_daily") == (70,)


def test_trips_between_places_and_between_zones_of_an_imported_level(db: Path, tmp_path: Path) -> None:
    places = fetch_one(db, "select min(place_id), max(place_id) from places")
    src = _write(tmp_path / "od.csv", f"day,origin,destination,trips\n2025-11-03,{places[0]},{places[1]},9\n")
    report = import_file(src, ImportOptions(layer="trips", level="place"), db)
    assert report.accepted == 1
    assert fetch_one(db, "select level, origin, destination, trips from trips") == ("place", *places, 9)


def test_pipeline_output_parquet_with_the_views_columns_imports_without_a_map(db: Path, atlas_db: Path,
                                                                          tmp_path: Path) -> None:
    """The Spark engine's output (issue 18): Parquet with exactly the columns of the views."""
    out = tmp_path / "pipeline-output"
    (out / "visits_hourly").mkdir(parents=True)
    # A copy: the app's cached connection (page tests) may hold atlas_db open with another configuration.
    copy = tmp_path / "source.duckdb"
    shutil.copyfile(atlas_db, copy)
    src = duckdb.connect(str(copy), read_only=True)
    try:
        src.sql("select *, month(ts_hour) as m from visits_hourly").write_parquet(
            str(out / "visits_hourly"), partition_by=["m"], overwrite=True)  # a partitioned folder
        src.sql("select * from trips").write_parquet(str(out / "trips.parquet"))
        expected = src.execute("select (select sum(visitors) from visits_hourly), (select sum(trips) from trips), "
                               "(select count(*) from visits_hourly)").fetchone()
    finally:
        src.close()
    visits = import_file(out / "visits_hourly", ImportOptions(layer="visits"), db)
    trips = import_file(out / "trips.parquet", ImportOptions(layer="trips"), db)
    assert visits.format == trips.format == "parquet"
    assert (visits.rejected, trips.rejected, visits.accepted) == (0, 0, expected[2])
    assert fetch_one(db, "select (select sum(visitors) from visits_hourly), (select sum(trips) from trips)") == expected[:2]
    assert fetch_one(db, "select sum(visitors) from presence_cell_profile")[0] == expected[0]


CELL = h3.int_to_str(h3.str_to_int(h3.latlng_to_cell(18.7877, 98.9931, 8)))  # Old City, one of the atlas's cells
BAD_VISITS = {
    "not_h3": ("hour,cell,segment,visitors\n2025-11-03 08:00,zz12,resident,3\n", "not an H3 cell"),
    "outside": ("hour,cell,segment,visitors\n2025-11-03 08:00,"
                f"{h3.latlng_to_cell(13.75, 100.5, 8)},resident,3\n", "outside the province"),
    "resolution": (f"hour,cell,segment,visitors\n2025-11-03 08:00,{h3.latlng_to_cell(18.79, 98.99, 7)},resident,3\n",
                   "wrong H3 resolution"),
    "unknown_zone": ("date,hour,zone,segment,visitors\n2025-11-03,8,Atlantis,resident,3\n", "unknown zone"),
    "negative": (f"hour,cell,segment,visitors\n2025-11-03 08:00,{CELL},resident,-3\n", "negative count"),
    "fraction": (f"hour,cell,segment,visitors\n2025-11-03 08:00,{CELL},resident,2.5\n", "not a whole number"),
    "future": (f"hour,cell,segment,visitors\n2999-11-03 08:00,{CELL},resident,3\n", "time in the future"),
    "before_1970": (f"hour,cell,segment,visitors\n1969-11-03 08:00,{CELL},resident,3\n", "time before 1970"),
    "segment": (f"hour,cell,segment,visitors\n2025-11-03 08:00,{CELL},martians,3\n", "unknown segment"),
    "duplicate": (f"hour,cell,segment,visitors\n2025-11-03 08:00,{CELL},resident,3\n"
                  f"2025-11-03 08:00,{CELL},resident,4\n", "duplicate key"),
    "no_count": (f"hour,cell,segment\n2025-11-03 08:00,{CELL},resident\n", "no visitors field"),
    "empty": ("", "is empty"),
    "header_only": ("hour,cell,segment,visitors\n", "is empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_VISITS))
def test_each_bad_presence_file_gives_its_own_error_and_leaves_the_database_unchanged(
        db: Path, tmp_path: Path, case: str) -> None:
    text, reason = BAD_VISITS[case]
    src = _write(tmp_path / f"{case}.csv", text)
    before = sha256_of(db)
    with pytest.raises(ImportRefusedError) as err:
        import_file(src, ImportOptions(layer="visits", strict=True), db)
    assert reason in str(err.value) or any(reason in p.reason for p in err.value.problems), str(err.value)
    assert sha256_of(db) == before


@pytest.mark.parametrize(("text", "reason"), [
    ("day,origin,destination,trips\n2025-11-03,old_city,Atlantis,3\n", "unknown zone: destination Atlantis"),
    ("day,origin,destination,trips\n2025-11-03,old_city,nimman,-3\n", "negative count"),
    ("day,origin,destination,trips\n2025-11-03,old_city,nimman,1.5\n", "not a whole number"),
    ("day,origin,destination,trips\n3000-01-01,old_city,nimman,2\n", "date in the future"),
    ("day,origin,destination,segment,trips\n2025-11-03,old_city,nimman,aliens,2\n", "unknown segment"),
])
def test_each_bad_trips_file_gives_its_own_error_and_leaves_the_database_unchanged(
        db: Path, tmp_path: Path, text: str, reason: str) -> None:
    src = _write(tmp_path / "od.csv", text)
    before = sha256_of(db)
    with pytest.raises(ImportRefusedError) as err:
        import_file(src, ImportOptions(layer="trips"), db)
    assert reason in str(err.value)
    assert sha256_of(db) == before


def test_a_huge_file_is_refused_before_reading_and_an_unloaded_level_is_named(db: Path, tmp_path: Path) -> None:
    src = _write(tmp_path / "big.csv", "hour,cell,segment,visitors\n" + f"2025-11-03 08:00,{CELL},resident,3\n" * 500)
    before = sha256_of(db)
    with pytest.raises(ImportRefusedError, match="over the 0 MB limit|MB limit"):
        import_file(src, ImportOptions(layer="visits", max_bytes=1024), db)
    with pytest.raises(ImportRefusedError, match="no zones of that level are loaded; loaded levels: tourism_zone"):
        import_file(_write(tmp_path / "z.csv", "date,hour,zone,visitors\n2025-11-03,8,x,1\n"),
                    ImportOptions(layer="visits", level="district"), db)
    assert sha256_of(db) == before


def test_a_dry_run_checks_every_row_and_changes_nothing(db: Path, tmp_path: Path) -> None:
    src = _write(tmp_path / "presence.csv", "hour,cell,segment,visitors\n"
                 f"2025-11-03 08:30,{CELL},resident,3\n2025-11-03 09:00,{CELL},resident,-1\n")
    before = sha256_of(db)
    report = import_file(src, ImportOptions(layer="visits", dry_run=True), db)
    assert (report.rows_read, report.accepted, report.repaired, report.rejected, report.written) == (2, 1, 1, 1, False)
    assert [(p.row, p.field, p.action) for p in report.problems] == [(2, "ts_hour", "repaired"),
                                                                      (3, "visitors", "rejected")]
    assert "dry run: the database was not changed" in report.summary_lines()
    assert sha256_of(db) == before


def test_segment_spellings_map_through_category(db: Path, tmp_path: Path) -> None:
    src = _write(tmp_path / "p.csv", f"hour,cell,origin,visitors\n2025-11-03 08:00,{CELL},Bangkok,3\n"
                                     f"2025-11-03 08:00,{CELL},,2\n")
    report = import_file(src, ImportOptions(layer="visits", category=("Bangkok=domestic:Bangkok", "resident")), db)
    assert report.accepted == 2
    assert duckdb.connect(str(db), read_only=True).execute(
        "select segment, visitors from visits_hourly order by segment").fetchall() == [
        ("domestic:Bangkok", 3), ("resident", 2)]
    with pytest.raises(ImportRefusedError, match="is not a segment"):
        import_file(src, ImportOptions(layer="visits", category=("Bangkok=tourists",)), db)


def test_the_data_page_uploads_a_presence_table(db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_page_import import _submit

    monkeypatch.setenv("ATLAS_DB", str(db))
    content = f"hour,h3,segment,visitors\n2025-11-03 08:00,{CELL},resident,7\n".encode()
    before = sha256_of(db)
    checked = _submit("presence.csv", content, dry_run=True, import_layer="visits")
    assert any("Check only: 1 of 1 rows would be imported" in i.value for i in checked.info), \
        [i.value for i in checked.info]
    assert sha256_of(db) == before
    done = _submit("presence.csv", content, dry_run=False, import_layer="visits")
    assert any("Imported 1 of 1 rows" in s.value for s in done.success), [s.value for s in done.success]
    con = connect(db, "officials", read_only=True)  # the page's configuration (DuckDB shares the instance)
    try:
        assert con.execute("select sum(visitors) from visits_hourly").fetchone() == (7,)
    finally:
        con.close()
    assert any("aggregated feed" in i.value for i in done.info), [i.value for i in done.info]


def test_a_places_import_after_a_presence_feed_refreshes_the_place_estimates(db: Path, tmp_path: Path) -> None:
    cell = h3.latlng_to_cell(18.8012, 98.9501, 8)
    import_file(_write(tmp_path / "p.csv", f"ts_hour,cell,visitors\n2025-11-03 08:00,{cell},4\n"),
                ImportOptions(layer="visits"), db)
    places = _write(tmp_path / "places.csv", "name,name_th,latitude,longitude,type\n"
                                             "Baan Suan Homestay,บ้านสวนโฮมสเตย์,18.8012,98.9501,homestay\n")
    report = import_file(places, ImportOptions(layer="places"), db)
    assert any("estimated from the imported presence" in a for a in report.after), report.after
    new_id = fetch_one(db, "select place_id from places where name_en = 'Baan Suan Homestay'")[0]
    assert fetch_one(db, f"select count(*) from presence_place_daily where place_id = '{new_id}'")[0] == 1  # noqa: S608


def test_presence_and_trips_by_an_imported_district_level(db: Path, tmp_path: Path) -> None:
    import json

    from tests.test_ingest_run import DISTRICTS

    boundaries = _write(tmp_path / "districts.geojson", json.dumps(DISTRICTS))
    import_file(boundaries, ImportOptions(layer="zones", level="district"), db)
    presence_file = _write(tmp_path / "amphoe.csv", "date,hour,district,segment,visitors\n"
                           "2025-11-03,8,Mueang Chiang Mai,domestic,500\n"
                           "2025-11-03,8,แม่ริม,domestic,70\n")                     # by Thai name
    report = import_file(presence_file, ImportOptions(layer="visits", level="district"), db)
    assert (report.accepted, report.level) == (2, "district")
    con = connect(db, "officials", read_only=True)
    try:
        filters = Filters(start=DAY, end=DAY, zone_level="district")
        level = presence.level_density(con, filters, floor=0)
    finally:
        con.close()
    assert {z: v for z, v in zip(level["zone_id"], level["visitor_hours"], strict=True) if v} == {
        "district_th5001": 500, "district_th5002": 70}
    # zones by the code the boundary file gave them (ADM2_PCODE), or by name
    od = _write(tmp_path / "od.csv", "day,origin,destination,trips\n2025-11-03,Mae Rim,TH5001,12\n")
    import_file(od, ImportOptions(layer="trips", level="district"), db)
    assert fetch_one(db, "select level, origin, destination, trips from od_daily") == (
        "zone", "district_th5002", "district_th5001", 12)
