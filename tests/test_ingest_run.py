"""Imports end to end (geo/ingest/run.py, the CLI): nothing lost on bad input, good files land with provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geo.__main__ import main
from geo.errors import ImportRefusedError
from geo.ingest.run import ImportOptions, import_file
from tests.import_fixtures import copy_database, fetch_rows, sha256_of

PLACES_CSV = (
    "name,name_th,latitude,longitude,type,rooms\n"
    "Baan Suan Homestay,บ้านสวนโฮมสเตย์,18.8012,98.9501,homestay,6\n"
    "Lanna Boutique,ลานนา บูทีค,98.9912,18.7901,hotel,40\n"          # swapped: repaired
    "Far Away Inn,ที่พักไกล,13.75,100.50,hotel,10\n"                  # Bangkok: warning
    "No Category,ไม่มีประเภท,18.79,98.98,casino,\n"                    # unknown category: rejected
)
DISTRICTS = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"ADM2_PCODE": "TH5001", "ADM2_EN": "Mueang Chiang Mai",
                                           "ADM2_TH": "เมืองเชียงใหม่"},
         "geometry": {"type": "Polygon", "coordinates": [[[98.93, 18.74], [99.03, 18.74], [99.03, 18.84],
                                                          [98.93, 18.84], [98.93, 18.74]]]}},
        {"type": "Feature", "properties": {"ADM2_PCODE": "TH5002", "ADM2_EN": "Mae Rim", "ADM2_TH": "แม่ริม"},
         "geometry": {"type": "Polygon", "coordinates": [[[98.88, 18.84], [99.03, 18.84], [99.03, 19.0],
                                                          [98.88, 19.0], [98.88, 18.84]]]}},
    ],
}


@pytest.fixture
def db(atlas_db: Path, tmp_path: Path) -> Path:
    """A private copy of the session database (imports change it)."""
    return copy_database(atlas_db, tmp_path)


def test_places_import_lands_with_repairs_warnings_rejections_and_provenance(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "register.csv"
    src.write_text(PLACES_CSV, encoding="utf-8")
    before = fetch_rows(db, "select count(*) from places")[0][0]
    report = import_file(src, ImportOptions(layer="places", attribution="Test register, CC BY 4.0"), db)
    assert (report.rows_read, report.accepted, report.repaired, report.rejected) == (4, 3, 1, 1)
    assert report.warnings == 1 and report.written and report.mode == "append"
    kinds = {(p.row, p.action, p.reason.split(":")[0]) for p in report.problems}
    assert kinds == {(3, "repaired", "swapped lat/lon"), (4, "warning", "outside the destination"),
                     (5, "rejected", "unknown category")}
    assert fetch_rows(db, "select count(*) from places")[0][0] == before + 3
    lanna = fetch_rows(db, "select lat, lon, layer, zone_id is not null, rooms, capacity from places "
                           "where place_id = 'acc-lanna-boutique'")[0]
    assert lanna[:3] == (pytest.approx(18.7901), pytest.approx(98.9912), "accommodation") and lanna[3:] == (True, 40, 80)
    meta = fetch_rows(db, "select simulated, sources, params from meta where dataset = 'places: register.csv'")[0]
    assert meta[0] is False and meta[1] == "Test register, CC BY 4.0"
    assert json.loads(meta[2])["accepted"] == 3
    # the pipeline re-ran on the stored pings: every place has its label, visits refer to loaded places
    assert fetch_rows(db, "select count(*) from place_visits where place_id not in (select place_id from places)")[0][0] == 0
    assert any("pipeline re-run" in line for line in report.after)


def test_dry_run_changes_nothing(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "register.csv"
    src.write_text(PLACES_CSV, encoding="utf-8")
    digest = sha256_of(db)
    report = import_file(src, ImportOptions(layer="places", dry_run=True), db)
    assert report.accepted == 3 and not report.written and sha256_of(db) == digest


BAD_FILES = {
    "empty.csv": b"",
    "header-only.csv": b"name,lat,lon\n",
    "no-names.csv": b"hotel,lat,lon\nx,18.8,98.9\n",
    "all-rejected.csv": b"name,lat,lon,type\nA,abc,98.9,hotel\nB,18.8,98.9,casino\n",
    "wrapped.geojson": b'var districts = {"type": "FeatureCollection", "features": []};',
    "not-json.geojson": b'{"type": "FeatureCollection", "features": [',
}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_every_bad_file_is_refused_with_a_reason_and_the_database_is_byte_identical(db: Path, tmp_path: Path,
                                                                                  name: str) -> None:
    src = tmp_path / name
    src.write_bytes(BAD_FILES[name])
    digest = sha256_of(db)
    with pytest.raises(ImportRefusedError) as exc:
        import_file(src, ImportOptions(layer="places"), db)
    assert name in str(exc.value) or "file" in str(exc.value)
    assert exc.value.problems and sha256_of(db) == digest


def test_strict_refuses_a_file_with_any_problem_and_keeps_the_database(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "register.csv"
    src.write_text(PLACES_CSV, encoding="utf-8")
    digest = sha256_of(db)
    with pytest.raises(ImportRefusedError, match="refused with --strict"):
        import_file(src, ImportOptions(layer="places", strict=True), db)
    assert sha256_of(db) == digest


def test_appending_an_id_twice_is_refused_and_replace_replaces_the_layer(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "register.csv"
    src.write_text(PLACES_CSV, encoding="utf-8")
    import_file(src, ImportOptions(layer="places"), db)
    digest = sha256_of(db)
    with pytest.raises(ImportRefusedError, match="already in the database"):
        import_file(src, ImportOptions(layer="places"), db)
    assert sha256_of(db) == digest
    report = import_file(src, ImportOptions(layer="places", replace=True), db)
    assert report.mode == "replace"
    assert fetch_rows(db, "select count(*) from places where layer = 'accommodation'")[0][0] == 3


def test_a_failure_while_loading_leaves_the_database_byte_identical(db: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.ingest import load

    src = tmp_path / "register.csv"
    src.write_text(PLACES_CSV, encoding="utf-8")
    digest = sha256_of(db)

    def broken(con, *args, **kwargs):
        con.execute("delete from places")  # half-done work in the staged copy
        raise RuntimeError("disk full")

    monkeypatch.setattr(load, "record_meta", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        import_file(src, ImportOptions(layer="places"), db)
    assert sha256_of(db) == digest
    assert not list(tmp_path.glob(".atlas.duckdb.import-*"))


def test_zone_level_import_becomes_a_level_with_cells(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "districts.geojson"
    src.write_text(json.dumps(DISTRICTS, ensure_ascii=False), encoding="utf-8")
    report = import_file(src, ImportOptions(layer="zones", level="district"), db)
    assert report.accepted == 2 and report.mode == "replace"
    zones = fetch_rows(db, "select zone_id, name_th, approximate from zones where level = 'district' order by 1")
    assert zones == [("district_th5001", "เมืองเชียงใหม่", False), ("district_th5002", "แม่ริม", False)]
    cells = fetch_rows(db, "select count(*) from cell_zones where level = 'district'")[0][0]
    assert cells > 0
    # tourism zones of places are unchanged by a new level
    assert fetch_rows(db, "select count(*) from places where zone_id like 'district_%'")[0][0] == 0
    again = import_file(src, ImportOptions(layer="zones", level="district"), db)
    assert again.after[0].startswith("replaced 2")
    assert fetch_rows(db, "select count(*) from zones where level = 'district'")[0][0] == 2


@pytest.mark.parametrize(("level", "message"), [
    (None, "needs --level"), ("tourism_zone", "project's own tourism zones"), ("Bad Level!", "lowercase letters"),
])
def test_zone_level_names_are_checked(db: Path, tmp_path: Path, level: str | None, message: str) -> None:
    src = tmp_path / "districts.geojson"
    src.write_text(json.dumps(DISTRICTS), encoding="utf-8")
    with pytest.raises(ImportRefusedError, match=message):
        import_file(src, ImportOptions(layer="zones", level=level), db)


def test_cli_prints_the_summary_writes_the_report_and_exits_2_on_refusal(db: Path, tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture) -> None:
    src = tmp_path / "register.csv"
    src.write_text(PLACES_CSV, encoding="utf-8")
    report = tmp_path / "problems.csv"
    assert main(["import", str(src), "--layer", "places", "--db", str(db), "--dry-run", "--report",
                 str(report)]) == 0
    out = capsys.readouterr().out
    assert "would import: 3 of 4 rows accepted (1 repaired), 1 rejected, 1 warnings" in out
    assert "dry run: the database was not changed" in out
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "row,field,action,reason" and len(lines) == 4
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    assert main(["import", str(bad), "--layer", "places", "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and "the database was not changed" in err
    assert main(["import", str(src), "--layer", "places", "--db", str(db), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["written"] is True and summary["accepted"] == 3


def test_an_openstreetmap_extract_becomes_places(db: Path, tmp_path: Path) -> None:
    from tests.test_ingest_osm import _extract, _write

    src = _write(tmp_path / "chiang-mai.osm.pbf", _extract())
    report = import_file(src, ImportOptions(layer="places", attribution="© OpenStreetMap contributors"), db)
    assert report.format == "osm" and report.written and report.accepted >= 3
    rows = dict(fetch_rows(db, "select place_id, category from places where source = '© OpenStreetMap contributors'"))
    assert rows.get("acc-way-100") == "hotel"
    name_th = fetch_rows(db, "select name_th from places where place_id = 'acc-way-100'")[0][0]
    assert name_th == "โรงแรมสแควร์"


def test_every_rollup_can_be_refreshed_in_place() -> None:
    """Imports re-run the rollups on an existing database: every rollup file must replace what it creates."""
    import re

    from geo import sql

    for path in sorted(sql.QUERIES_DIR.glob("rollups/*.sql")):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8")).lower()
        assert re.search(r"\bcreate\s+or\s+replace\b", text), f"{path.name} must use 'create or replace'"


def test_an_imported_level_is_offered_and_its_zones_add_up_to_the_city(db: Path, tmp_path: Path) -> None:
    """The README's first walk-through: districts imported from a file, then visitors per district."""
    from dataclasses import replace

    from geo.db import connect
    from geo.services import catalog, geography, presence
    from geo.services.filters import Filters

    src = tmp_path / "districts.geojson"
    src.write_text(json.dumps(DISTRICTS, ensure_ascii=False), encoding="utf-8")
    import_file(src, ImportOptions(layer="zones", level="district"), db)
    con = connect(db, "officials", read_only=True)
    try:
        assert geography.zone_levels(con) == ("tourism_zone", "district")
        first, last = catalog.date_bounds(con)
        by_district = presence.level_hours(con, replace(Filters(start=first, end=last), zone_level="district"))
        city = presence.level_hours(con, Filters(start=first, end=last))
    finally:
        con.close()
    assert set(by_district["zone_id"]) == {"district_th5001", "district_th5002", ""}
    assert by_district["visitor_hours"].sum() == city["visitor_hours"].sum() > 0
    assert by_district.loc[by_district["zone_id"] == "district_th5001", "visitor_hours"].iloc[0] > 0
