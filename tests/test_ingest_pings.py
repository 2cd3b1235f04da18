"""Importing an operator's raw pings (geo/ingest/telecom.py): every row checked in SQL, pipeline re-run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest

from geo.errors import ImportRefusedError
from geo.ingest import telecom
from geo.ingest.run import ImportOptions, import_file, problems_csv
from tests.import_fixtures import copy_database, fetch_one, sha256_of


@pytest.fixture
def db(atlas_db: Path, tmp_path: Path) -> Path:
    return copy_database(atlas_db, tmp_path)


def _export_pings(db: Path, target: Path, fmt: str) -> int:
    """The session database's simulated pings as an operator would deliver them: text device ids."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        rel = con.sql("select 'dev-' || cast(device as varchar) as device_id, strftime(ts, '%Y-%m-%d %H:%M:%S') "
                      "as timestamp, lat as latitude, lon as longitude, segment from pings order by device, ts")
        (rel.write_csv if fmt == "csv" else rel.write_parquet)(str(target))
        return con.execute("select count(*) from pings").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_simulators_own_pings_reimported_give_the_same_flows(db: Path, tmp_path: Path, fmt: str) -> None:
    src = tmp_path / f"feed.{fmt}"
    n = _export_pings(db, src, fmt)
    stays_before, trips_before = fetch_one(db, "select (select count(*) from stays), (select sum(trips) from trips)")
    report = import_file(src, ImportOptions(layer="pings", attribution="Operator feed (test)"), db)
    assert (report.rows_read, report.accepted, report.rejected) == (n, n, 0) and report.written
    assert report.format == fmt and any("pipeline and rollups run" in a for a in report.after)
    stays_after, trips_after, pings = fetch_one(db, "select (select count(*) from stays), (select sum(trips) from trips), "
                                                    "(select count(*) from pings)")
    assert (stays_after, trips_after, pings) == (stays_before, trips_before, n)
    simulated, sources = fetch_one(db, "select simulated, sources from meta where dataset = 'flows'")
    assert simulated is False and sources == "Operator feed (test)"
    # device ids are hashed, never stored as given
    assert fetch_one(db, "select count(*) from pings where cast(device as varchar) like 'dev-%'")[0] == 0


def test_a_feed_with_market_shares_is_expanded_by_them_and_labelled_real(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "feed.parquet"
    _export_pings(db, src, "parquet")
    shares = tmp_path / "shares.csv"
    shares.write_text("segment_group,month,market_share,sampling\ndomestic,,0.4,0.5\ninternational,,0.25,1\n"
                      "resident,,0.5,1\n", encoding="utf-8")
    report = import_file(src, ImportOptions(layer="pings", market_shares=shares), db)
    assert any("market shares (3 rows)" in a for a in report.after)
    assert fetch_one(db, "select min(weight), max(weight), min(method), max(method) from expansion_weights "
                         "where segment_group = 'domestic'") == (5.0, 5.0, "market_share", "market_share")
    assert fetch_one(db, "select min(weight) from expansion_weights where segment_group = 'international'") == (4.0,)
    est, observed = fetch_one(db, "select sum(est_people), sum(visitors) from presence_daily "
                                  "where split_part(segment, ':', 1) = 'domestic'")
    assert est == pytest.approx(5.0 * observed)
    assert fetch_one(db, "select simulated from meta where dataset = 'estimates'") == (False,)
    # a later feed without the option forgets them: weights are fitted to the published figures again
    import_file(src, ImportOptions(layer="pings"), db)
    assert fetch_one(db, "select count(*) from market_shares") == (0,)
    assert fetch_one(db, "select min(method) from expansion_weights where segment_group = 'domestic'") == ("annual_fit",)

FEED = (
    "device_id;timestamp;lat;lon;segment\n"
    "a1;2025-11-02 08:00:00;18.7886;98.9814;resident\n"
    "a1;2568-11-02 08:20:00;18.7886;98.9814;resident\n"             # Buddhist era: 2025
    "a1;2 พ.ย. 2568 08:40;18.7886;98.9814;resident\n"                 # Thai month name, BE
    "b2;02/11/2025 09:00;98.9901;18.7999;international:cn\n"         # swapped, lower-case country: repaired
    "b2;2025-11-02 09:30:00;13.75;100.5;international:CN\n"          # Bangkok: warning
    "c3;1969-12-31 23:00:00;18.79;98.98;domestic:Bangkok\n"          # before 1970
    "c3;2999-01-01 00:00:00;18.79;98.98;domestic:Bangkok\n"          # future
    "c3;2025-11-02 10:00:00;18.79;200.0;domestic:Bangkok\n"          # longitude out of range
    "c3;2025-11-02 10:00:00;18.79;98.98;tourist\n"                   # unknown segment
    ";2025-11-02 10:00:00;18.79;98.98;resident\n"                    # missing device
    "d4;yesterday;18.79;98.98;resident\n"                            # unreadable time
)


def test_each_bad_ping_is_rejected_with_its_row_and_reason_and_dates_in_thai_forms_are_read(
        db: Path, tmp_path: Path) -> None:
    src = tmp_path / "feed.csv"
    src.write_text(FEED, encoding="utf-8")
    report = import_file(src, ImportOptions(layer="pings", dry_run=True), db)
    assert (report.rows_read, report.accepted, report.repaired, report.rejected, report.warnings) == (11, 5, 1, 6, 1)
    got = {(p.row, p.action, p.reason.split(":")[0]) for p in report.problems}
    assert got == {(5, "repaired", "swapped lat/lon"), (6, "warning", "outside the destination"),
                   (7, "rejected", "time before 1970"), (8, "rejected", "time in the future"),
                   (9, "rejected", "longitude out of range"), (10, "rejected", "unknown segment"),
                   (11, "rejected", "missing device"), (12, "rejected", "unreadable time")}
    con = duckdb.connect()
    from geo.ingest.telecom import define_time_macros

    define_time_macros(con)
    assert con.execute("select atlas_parse_time('2 พ.ย. 2568 08:40')").fetchone()[0].isoformat() == "2025-11-02T08:40:00"


def test_strict_and_all_rejected_feeds_are_refused_and_the_database_is_byte_identical(db: Path,
                                                                                      tmp_path: Path) -> None:
    src = tmp_path / "feed.csv"
    src.write_text(FEED, encoding="utf-8")
    digest = sha256_of(db)
    with pytest.raises(ImportRefusedError, match="refused with --strict"):
        import_file(src, ImportOptions(layer="pings", strict=True), db)
    bad = tmp_path / "bad.csv"
    bad.write_text("device,ts,lat,lon\nx,never,1,2\n", encoding="utf-8")
    with pytest.raises(ImportRefusedError, match="no row could be imported"):
        import_file(bad, ImportOptions(layer="pings"), db)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\xef\xbb\xbf\n")
    with pytest.raises(ImportRefusedError, match="is empty"):
        import_file(empty, ImportOptions(layer="pings"), db)
    fake = tmp_path / "fake.parquet"
    fake.write_text("device,ts\n", encoding="utf-8")
    with pytest.raises(ImportRefusedError, match="not a Parquet file"):
        import_file(fake, ImportOptions(layer="pings"), db)
    nocols = tmp_path / "nocols.csv"
    nocols.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    with pytest.raises(ImportRefusedError, match="no device field"):
        import_file(nocols, ImportOptions(layer="pings"), db)
    assert sha256_of(db) == digest


def test_a_thai_legacy_encoded_feed_is_converted(db: Path, tmp_path: Path) -> None:
    src = tmp_path / "feed-tis620.csv"
    src.write_bytes("device,เวลา,lat,lon,segment\nz9,3 พฤศจิกายน 2568 10:15,18.79,98.98,domestic:เชียงราย\n"
                    .encode("cp874"))
    report = import_file(src, ImportOptions(layer="pings", dry_run=True), db)
    assert report.encoding == "cp874" and report.accepted == 1 and report.rejected == 0


def test_typed_parquet_columns_are_checked_as_their_text_would_be(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A Parquet feed with TIMESTAMP times and DOUBLE coordinates is read without a cast to text and back:
    every row's verdict and values equal those of the same feed with text columns (Buddhist-era years,
    times before 1970, fractions of seconds, swapped, out-of-range and NaN coordinates, 17-digit doubles)."""
    monkeypatch.setattr(telecom.secrets, "token_hex", lambda _n: "fixed-salt")
    typed, text = tmp_path / "typed.parquet", tmp_path / "text.parquet"
    con = duckdb.connect()
    try:
        feed = con.sql("""
            select 'dev-' || (i % 97) as device,
                case when i % 13 = 0 then null
                     when i % 7 = 0 then timestamp '2568-11-02 08:00:00' + to_seconds(i)
                     when i % 7 = 1 then timestamp '1969-12-31 23:59:59'
                     else timestamp '2025-11-01 00:00:00' + to_microseconds(i * 7919 * 1013) end as ts,
                case when i % 11 = 0 then 98.98 when i % 17 = 0 then 'nan'::double when i % 19 = 0 then 95.5
                     when i % 23 = 0 then null else 18.7 + (hash(i) % 1000003) / 3.0e7 end as lat,
                case when i % 11 = 0 then 18.79 when i % 29 = 0 then 200.0
                     else 98.9 + (hash(i + 1) % 1000003) / 7.0e7 end as lon
            from range(4000) t(i)""")
        feed.write_parquet(str(typed))
        feed.project("device, cast(ts as varchar) as ts, cast(lat as varchar) as lat, cast(lon as varchar) as lon"
                     ).write_parquet(str(text))
        relation = telecom._source(con, typed, "parquet", "typed.parquet", {})[0]
        assert telecom._typed(relation) == {"typed_ts": True, "typed_coords": True}
    finally:
        con.close()

    def checked(path: Path) -> list[tuple]:
        con = duckdb.connect()
        try:
            counts, *_ = telecom.check_pings(con, path, path.name, mapping={}, strict=False,
                                             workdir=tmp_path / path.stem)
            assert counts["rejected"] and counts["repaired"] and counts["accepted"]
            rows = con.sql("select * from pings_checked order by row, device, ts").fetchall()
            return [tuple(repr(v) for v in row) for row in rows]  # NaN equals itself as text
        finally:
            con.close()

    rows = checked(typed)
    assert rows == checked(text)
    assert any(r[3].startswith("datetime.datetime(2025, 11, 2, 8, 0") for r in rows)  # ts (after row, file, device): from 2568 BE


def test_a_folder_feeds_problems_name_the_file_and_the_row_within_it(db: Path, tmp_path: Path) -> None:
    """Rows of a partitioned Parquet feed are numbered per file (read with the rows, so the files are
    checked in parallel): a problem names the file under the folder and its 1-based row there; a single
    Parquet file's problems name no file. The report CSV gains a file column only for a folder."""
    feed = tmp_path / "feed"
    days = {"2025-11-02": [("a1", "2025-11-02 08:00:00", 18.79, 98.98), ("a1", "never", 18.79, 98.98),
                           ("b2", "2025-11-02 09:00:00", 18.79, 98.98)],
            "2025-11-03": [("a1", "2025-11-03 08:00:00", 18.79, 98.98), ("b2", "2025-11-03 08:00:00", 18.79, 98.98),
                           ("b2", "2025-11-03 09:00:00", 98.98, 18.79), ("c3", "2025-11-03 10:00:00", 18.79, 200.0)]}
    con = duckdb.connect()
    try:
        for day, rows in days.items():
            (feed / f"day={day}").mkdir(parents=True)
            con.from_df(pd.DataFrame(rows, columns=["device", "ts", "lat", "lon"])).write_parquet(
                str(feed / f"day={day}" / "part-0.parquet"))
    finally:
        con.close()
    report = import_file(feed, ImportOptions(layer="pings", dry_run=True), db)
    assert (report.rows_read, report.rejected, report.repaired) == (7, 2, 1)
    got = [(p.file, p.row, p.action) for p in report.problems]
    assert got == [("day=2025-11-02/part-0.parquet", 2, "rejected"), ("day=2025-11-03/part-0.parquet", 3, "repaired"),
                   ("day=2025-11-03/part-0.parquet", 4, "rejected")]
    assert str(report.problems[0]).startswith("day=2025-11-02/part-0.parquet, row 2, field 'ts': unreadable time")
    lines = problems_csv(report.problems).splitlines()
    assert lines[0] == "file,row,field,action,reason" and lines[1].startswith("day=2025-11-02/part-0.parquet,2,ts,")
    single = import_file(feed / "day=2025-11-03" / "part-0.parquet", ImportOptions(layer="pings", dry_run=True), db)
    assert [(p.file, p.row) for p in single.problems] == [(None, 3), (None, 4)]
    assert problems_csv(single.problems).splitlines()[0] == "row,field,action,reason"
    # a feed with a column of the name DuckDB gives the file's path: numbered in one stream, as before
    clash = tmp_path / "clash.parquet"
    con = duckdb.connect()
    try:
        con.from_df(pd.DataFrame(days["2025-11-03"], columns=["device", "ts", "lat", "lon"]).assign(
            filename="export-7.csv")).write_parquet(str(clash))
    finally:
        con.close()
    numbered = import_file(clash, ImportOptions(layer="pings", dry_run=True), db)
    assert [(p.file, p.row, p.action) for p in numbered.problems] == [(None, 3, "repaired"), (None, 4, "rejected")]
