"""Out-of-core runs (geo/build/pipeline.py): device partitions one after another give exactly the tables
of a single pass, whatever the number of partitions; the simulator's partitioned writes too."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from geo.build import pipeline, simulate
from geo.build.pipeline import partition_bounds, partition_count, partition_of, run_pipeline
from geo.ingest import telecom
from geo.ingest.run import ImportOptions, import_file
from geo.services._require import present_tables
from geo.settings import get_settings
from tests.pipeline_fixtures import sim_world

#: Every output the pipeline writes, with a full sort order (coded tables and the views with texts).
OUTPUTS = {
    "stays": "device, stay_start",
    "place_visits": "device, visit_start",
    "visits_hourly": "ts_hour, cell, zone_id, segment, visitor_type",
    "trips": "day, level, origin, destination, segment, visitor_type",
    "stays_data": "device, stay_start",
    "place_visits_data": "device, visit_start",
    "visits_hourly_data": "ts_hour, cell, zone_code, segment_code, visitor_type_code",
    "trips_data": "day, level_code, origin_code, destination_code, segment_code, visitor_type_code",
    "labels": "kind, code",
}


@pytest.fixture(scope="module")
def simulated() -> object:
    """A seeded month of simulated pings in the small simulator world."""
    con = sim_world()
    simulate.simulate_pings(con, seed=11, days=30, start=date(2025, 12, 1), visitors=600)
    yield con
    con.close()


def outputs(con: object, partitions: int | None) -> dict[str, pd.DataFrame]:
    run_pipeline(con, partitions=partitions)
    return {table: con.table(table).order(order).df() for table, order in OUTPUTS.items()}


def test_partitioned_runs_equal_the_single_pass_exactly(simulated: object) -> None:
    single = outputs(simulated, 1)
    assert len(single["stays"]) > 500 and (single["visits_hourly"]["visitors"] > 1).any()
    assert single["trips"]["trips"].max() > 1  # trip keys shared by devices of different partitions
    for parts in (2, 8, 64):
        parted = outputs(simulated, parts)
        for table, frame in single.items():
            pd.testing.assert_frame_equal(parted[table], frame, check_exact=True, obj=f"{table} ({parts} partitions)")


@pytest.mark.parametrize("in_flight", [1, 3])
def test_partitions_in_flight_do_not_change_the_tables(simulated: object, in_flight: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """One partition at a time, or three at once on worker threads: the same tables, row for row, and
    stays stored in device order (partitions reach the tables in partition order)."""
    default = outputs(simulated, 8)
    stored = simulated.execute("select device from stays_data").fetchnumpy()["device"]
    assert (np.diff(partition_of(stored, 8)) >= 0).all()
    monkeypatch.setattr(pipeline, "PARTITIONS_IN_FLIGHT", in_flight)
    other = outputs(simulated, 8)
    for table, frame in default.items():
        pd.testing.assert_frame_equal(other[table], frame, check_exact=True, obj=f"{table} ({in_flight} in flight)")


def test_a_failing_partition_fails_the_run_and_the_next_run_works(simulated: object,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"n": 0}
    real = pipeline.staydetect.stay_chunks

    def third_fails(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("partition 3 broke")
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline.staydetect, "stay_chunks", third_fails)
    with pytest.raises(RuntimeError, match="partition 3 broke"):
        run_pipeline(simulated, partitions=8)
    assert calls["n"] < 8  # no partition started after the failure was seen, beyond those in flight
    monkeypatch.setattr(pipeline.staydetect, "stay_chunks", real)
    assert run_pipeline(simulated, partitions=8)["stays"] > 500


def test_partitions_split_the_devices(simulated: object) -> None:
    devices = simulated.table("pings").aggregate("device").df()["device"].to_numpy(np.uint64)
    counts = np.bincount(partition_of(devices, 8), minlength=8)
    assert counts.sum() == len(devices) and (counts > 0).all()  # salted hashes spread over every range
    for part in range(8):
        lo, hi = partition_bounds(part, 8)
        inside = devices[(devices >= np.uint64(lo)) & (devices <= np.uint64(hi))]
        assert len(inside) == counts[part]
    assert partition_bounds(7, 8)[1] == 2**64 - 1


def test_partition_count_is_a_power_of_two_sized_by_the_pings() -> None:
    assert partition_count(0) == 1
    assert partition_count(pipeline.PARTITION_PINGS) == 1
    assert partition_count(pipeline.PARTITION_PINGS + 1) == 2
    assert partition_count(10 * pipeline.PARTITION_PINGS) == 16
    assert partition_count(10**12) == pipeline.MAX_PARTITIONS
    assert partition_count(100, target=10) == 16


@pytest.mark.parametrize("bad", [(0, 3), (3, 2), (-1, 4), (0, 0)])
def test_partition_bounds_refuse_bad_counts(bad: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match="power of two"):
        partition_bounds(*bad)


def test_only_the_stream_engine_runs_in_partitions(simulated: object) -> None:
    with pytest.raises(ValueError, match="stream engine"):
        run_pipeline(simulated, engine="sql", partitions=2)


def test_stage_timings_are_recorded(simulated: object) -> None:
    timings: dict[str, float] = {}
    run_pipeline(simulated, partitions=4, timings=timings)
    assert {"prepare", "stay_stream", "places", "cells", "hourly_presence", "sums", "partitions_wait"} <= set(timings)
    assert all(v >= 0 for v in timings.values())
    assert "stays_data" in present_tables(simulated)


def test_simulator_writes_the_same_pings_partition_by_partition(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulate, "FLUSH_ROWS", 5_000)  # several flushes per partition at this size
    monkeypatch.setattr(simulate, "HELD_ROWS", 16_000)  # and the biggest partition flushed past this
    tables = {}
    for parts in (1, 4):
        con = sim_world()
        simulate.simulate_pings(con, seed=3, days=14, start=date(2025, 12, 1), visitors=300, partitions=parts)
        tables[parts] = con.table("pings").df()
        con.close()
    one, four = tables[1], tables[4]
    key = ["device", "ts", "lon", "lat"]
    pd.testing.assert_frame_equal(four.sort_values(key, ignore_index=True), one.sort_values(key, ignore_index=True))
    # stored clustered: the partition changes only where a flush of another partition starts
    def changes(frame: pd.DataFrame) -> int:
        return int((np.diff(partition_of(frame["device"].to_numpy(np.uint64), 4)) != 0).sum())

    assert changes(four) <= len(four) // 5_000 + 4
    assert changes(one) > 10 * changes(four)


def _assert_single_pass_flows_stored_in_4_partitions(db: Path, before: dict[str, pd.DataFrame]) -> None:
    """The imported database's flows equal ``before`` (the single pass's) and its pings are stored one of
    4 device partitions after another."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        for table, frame in before.items():
            pd.testing.assert_frame_equal(con.table(table).order(OUTPUTS[table]).df(), frame, check_exact=True)
        devices = con.execute("select device from pings").fetchnumpy()["device"]
    finally:
        con.close()
    assert (np.diff(partition_of(devices, 4)) != 0).sum() == 3  # stored one partition after another


def test_importing_partitioned_parquet_in_device_partitions_gives_the_same_flows(
        atlas_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A feed delivered as Parquet partitioned by day, imported out of core (four device partitions):
    the same hourly presence and trips as the session build's single pass, row for row."""
    db = tmp_path / "atlas.duckdb"
    shutil.copy2(atlas_db, db)
    feed = tmp_path / "feed"
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.sql("select 'dev-' || cast(device as varchar) as device_id, ts as timestamp, lat as latitude, "
                "lon as longitude, segment, cast(ts as date) as day from pings").write_parquet(
            str(feed), partition_by=["day"])
        n = con.execute("select count(*) from pings").fetchone()[0]
        before = {t: con.table(t).order(OUTPUTS[t]).df() for t in ("visits_hourly", "trips")}
    finally:
        con.close()
    monkeypatch.setattr(pipeline, "PARTITION_PINGS", n // 3)  # 4 partitions
    report = import_file(feed, ImportOptions(layer="pings", attribution="Operator feed (test)"), db)
    assert report.accepted == n and report.written
    _assert_single_pass_flows_stored_in_4_partitions(db, before)


def test_a_csv_feed_loads_partitions_from_finer_buckets_and_leaves_no_checked_rows(
        atlas_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A CSV feed's rows are not counted before the check, so its buckets are sized from the file (more than
    the partitions the accepted rows need): each partition reads several buckets, the flows are the single
    pass's, the table is stored one partition after another, and the checked rows are gone afterwards."""
    db = tmp_path / "db" / "atlas.duckdb"
    db.parent.mkdir()
    shutil.copy2(atlas_db, db)
    feed = tmp_path / "feed.csv"
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.sql("select 'dev-' || cast(device as varchar) as device_id, strftime(ts, '%Y-%m-%d %H:%M:%S.%f') as "
                "timestamp, lat as latitude, lon as longitude, segment from pings").write_csv(str(feed))
        n = con.execute("select count(*) from pings").fetchone()[0]
        before = {t: con.table(t).order(OUTPUTS[t]).df() for t in ("visits_hourly", "trips")}
    finally:
        con.close()
    monkeypatch.setattr(pipeline, "PARTITION_PINGS", n // 3)  # 4 partitions
    assert partition_count(feed.stat().st_size // telecom.MIN_CSV_ROW_BYTES + 1) >= 8  # 8+ buckets
    loaded: list[list[str]] = []
    load_partition = telecom.Checked.load_partition

    def spy(self: telecom.Checked, con: duckdb.DuckDBPyConnection, part: int, partitions: int) -> None:
        loaded.append(sorted(p.name for p in self.folder.iterdir()))
        load_partition(self, con, part, partitions)

    monkeypatch.setattr(telecom.Checked, "load_partition", spy)
    report = import_file(feed, ImportOptions(layer="pings"), db)
    assert report.accepted == n and report.written
    assert len(loaded) == 4 and len(loaded[0]) >= 8 and len(loaded[1]) == len(loaded[0]) - len(loaded[0]) // 4
    assert sorted(p.name for p in db.parent.iterdir()) == ["atlas.duckdb"]  # no checked rows, no staged copy
    _assert_single_pass_flows_stored_in_4_partitions(db, before)


def test_a_failed_import_after_the_check_leaves_the_database_and_no_checked_rows(
        atlas_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing lost on error: the pings were checked and loaded into the staged copy, the pipeline fails,
    the database is byte for byte what it was and the checked rows' folder is removed."""
    db = tmp_path / "db" / "atlas.duckdb"
    db.parent.mkdir()
    shutil.copy2(atlas_db, db)
    feed = tmp_path / "feed.parquet"
    con = duckdb.connect(str(db), read_only=True)
    try:
        con.sql("select cast(device as varchar) as device, ts, lat, lon from pings").write_parquet(str(feed))
    finally:
        con.close()
    digest = hashlib.sha256(db.read_bytes()).hexdigest()

    def broken(con: duckdb.DuckDBPyConnection, **_: object) -> None:
        assert con.execute("select count(*) from pings").fetchone()[0] > 0  # loaded into the copy
        raise RuntimeError("the pipeline failed")

    monkeypatch.setattr(pipeline, "run_pipeline", broken)
    with pytest.raises(RuntimeError, match="the pipeline failed"):
        import_file(feed, ImportOptions(layer="pings"), db)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in db.parent.iterdir()) == ["atlas.duckdb"]


def test_sizes_are_given_as_whole_numbers_or_powers_of_ten() -> None:
    from geo.__main__ import build_parser

    parser = build_parser()
    assert parser.parse_args(["bench", "--pings", "1e9"]).pings == 10**9
    assert parser.parse_args(["build", "--pings", "100_000_000", "--partitions", "8"]).partitions == 8
    for bad in ("1.5e0", "0", "-1e3"):
        with pytest.raises(SystemExit):
            parser.parse_args(["bench", "--pings", bad])
    for bad in ("3", "8192"):
        with pytest.raises(SystemExit):
            parser.parse_args(["build", "--partitions", bad])


def test_the_cell_cache_answers_alike_however_its_tiers_fill(simulated: object,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Centres looked up chunk by chunk, with new ones moved from the small tier to the large one every
    few chunks, get the cells and zones one lookup of all of them gives (and no centre is stored twice)."""
    from geo import sql
    from geo.build import staysteps

    run_pipeline(simulated, partitions=1)  # the labels the zone codes refer to
    lonlat = simulated.execute("select lon, lat from pings using sample 3000 rows (reservoir, 5)").fetchnumpy()
    keys, lat4, lon4, _ = staysteps.rounded_points(lonlat["lon"], lonlat["lat"])
    zones = sql.fetch_df(simulated, "build/labels").query("kind == 'zone'")["label"].tolist()
    whole = pipeline._CellCache(simulated).lookup(simulated, keys, lat4, lon4, pipeline.H3_RESOLUTION, zones)
    monkeypatch.setattr(pipeline._CellCache, "RECENT_CENTRES", 50)
    cache = pipeline._CellCache(simulated)
    rng = np.random.default_rng(2)
    for _ in range(2):  # the second round finds every centre in one tier or the other
        for part in np.array_split(rng.permutation(len(keys)), 17):
            rows = np.sort(part)
            cells, zone = cache.lookup(simulated, keys[rows], lat4[rows], lon4[rows], pipeline.H3_RESOLUTION, zones)
            np.testing.assert_array_equal(cells, whole[0][rows])
            np.testing.assert_array_equal(zone, whole[1][rows])
    stored = np.concatenate([cache.settled.keys, cache.recent.keys])
    assert len(stored) == len(np.unique(stored)) == len(keys) and len(cache.settled) >= 50
    assert (whole[1] >= 0).any()


def test_the_place_grid_is_made_once_per_run(simulated: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """The places' grid is made once however many partitions and batches a run has (every batch of
    stays is matched against the same grid)."""
    made, matched = [], []
    real_grid, real_match = pipeline.staysteps.place_grid, pipeline.staysteps.match_places

    def counting_grid(*args: object, **kwargs: object) -> object:
        made.append(real_grid(*args, **kwargs))
        return made[-1]

    def counting_match(*args: object, **kwargs: object) -> object:
        matched.append(args[4])
        return real_match(*args, **kwargs)

    monkeypatch.setattr(pipeline.staysteps, "place_grid", counting_grid)
    monkeypatch.setattr(pipeline.staysteps, "match_places", counting_match)
    monkeypatch.setattr(pipeline.staydetect, "BATCH_ROWS", 2_000)  # several batches per partition
    run_pipeline(simulated, partitions=4)
    assert len(made) == 1 and len(matched) > 4
    assert all(grid is made[0] for grid in matched)


def test_sums_spilled_to_disk_give_the_same_tables_and_leave_nothing(
        simulated: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Running sums past their memory budget go to sorted runs on disk and are merged a slice at a time:
    the tables equal the single pass row for row, and the runs' folder is gone afterwards."""
    single = outputs(simulated, 1)
    made: list[object] = []
    real = pipeline._Sums

    def recorded(*args: object) -> object:
        made.append(real(*args))
        return made[-1]

    monkeypatch.setattr(pipeline, "_Sums", recorded)
    monkeypatch.setattr(pipeline, "SUMS_MEMORY_ROWS", 500)
    monkeypatch.setattr(pipeline, "SUMS_SLICE_ROWS", 700)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the in-memory database's runs go here
    parted = outputs(simulated, 8)
    assert made[0].presence.spilled_runs > 2 and made[0].trips.spilled_runs > 0
    for table, frame in single.items():
        pd.testing.assert_frame_equal(parted[table], frame, check_exact=True, obj=f"{table} (spilled sums)")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_of_spilled_sums_leaves_no_runs_behind(
        simulated: object, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = pipeline._write

    def trips_fail(cur: object, query: str, *args: object) -> None:
        if query == "build/write_trips":
            raise OSError("disk full")
        real(cur, query, *args)

    monkeypatch.setattr(pipeline, "_write", trips_fail)
    monkeypatch.setattr(pipeline, "SUMS_MEMORY_ROWS", 500)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with pytest.raises(OSError, match="disk full"):
        run_pipeline(simulated, partitions=4)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(pipeline, "_write", real)
    assert run_pipeline(simulated, partitions=4)["trips"] > 0


def test_running_sums_spill_beside_the_database_file(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "atlas.duckdb"))
    assert pipeline._spill_dir(con) == str(tmp_path)
    assert pipeline._spill_dir(duckdb.connect()) is None  # in memory: the system's temporary folder


def _limit_as_shown(value: str) -> str:
    """DuckDB's display of a memory limit set to ``value``."""
    con = duckdb.connect()
    con.execute("set memory_limit = $m", {"m": value})
    return con.execute("select current_setting('memory_limit')").fetchone()[0]


@pytest.mark.parametrize(("headroom", "expected"), [(300_000_000, "partition"), (10**13, "configured")])
def test_an_out_of_core_run_holds_duckdb_to_what_its_partitions_need(
        simulated: object, monkeypatch: pytest.MonkeyPatch, headroom: int, expected: str) -> None:
    """During a partitioned run DuckDB's limit is what the partitions in flight need (never more than the
    configured one), and the configured limit is back afterwards; a single pass leaves it alone."""
    seen: list[str] = []
    real = pipeline._stream_pipeline

    def spy(con: duckdb.DuckDBPyConnection, *args: object, **kwargs: object) -> None:
        seen.append(con.execute("select current_setting('memory_limit')").fetchone()[0])
        real(con, *args, **kwargs)

    monkeypatch.setattr(pipeline, "_stream_pipeline", spy)
    monkeypatch.setattr(pipeline, "DUCKDB_HEADROOM_BYTES", headroom)
    pings = simulated.execute("select count(*) from pings").fetchone()[0]
    configured = _limit_as_shown(get_settings().duckdb_memory)
    simulated.execute("set memory_limit = '5GB'")
    run_pipeline(simulated, partitions=1)
    assert seen == [_limit_as_shown("5GB")]
    run_pipeline(simulated, partitions=4)
    want = f"{pipeline.partition_memory(pings, 4)}B" if expected == "partition" else get_settings().duckdb_memory
    assert seen[1] == _limit_as_shown(want)
    assert simulated.execute("select current_setting('memory_limit')").fetchone()[0] == configured


def test_partition_memory_follows_the_partitions_in_flight() -> None:
    per_ping, headroom = pipeline.SORT_BYTES_PER_PING, pipeline.DUCKDB_HEADROOM_BYTES
    assert pipeline.partition_memory(10_000_000, 4) == 2 * 2_500_000 * per_ping + headroom
    assert pipeline.partition_memory(10_000_001, 4) == 2 * 2_500_001 * per_ping + headroom  # rounded up
    assert pipeline.partition_memory(1_000_000_000, 64) == pipeline.partition_memory(500_000_000, 32)


def test_a_partitioned_build_holds_duckdb_to_what_each_step_needs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``geo build --pings N`` in partitions: DuckDB is held to little while the simulator stores the pings
    and to what the partitions in flight need during the pipeline (its memory does not climb with N to the
    configured limit); the rollups, whose group-bys span every stay, run with the configured limit."""
    from geo.build import rollups
    from geo.build.run import BuildOptions, build_database
    from geo.settings import Settings

    seen: dict[str, str] = {}

    def shown(con: duckdb.DuckDBPyConnection) -> str:
        return con.execute("select current_setting('memory_limit')").fetchone()[0]

    real_simulate, real_pipeline, real_rollups = simulate.simulate_pings, pipeline.run_pipeline, rollups.run_rollups

    def simulate_spy(con: duckdb.DuckDBPyConnection, **kwargs: object) -> object:
        seen["simulate"] = shown(con)
        return real_simulate(con, **kwargs)

    def pipeline_spy(con: duckdb.DuckDBPyConnection, *args: object, **kwargs: object) -> object:
        seen["pipeline"] = shown(con)
        return real_pipeline(con, *args, **kwargs)

    def rollups_spy(con: duckdb.DuckDBPyConnection, *args: object) -> object:
        seen["rollups"] = shown(con)
        return real_rollups(con, *args)

    monkeypatch.setattr(simulate, "simulate_pings", simulate_spy)
    monkeypatch.setattr(pipeline, "run_pipeline", pipeline_spy)
    monkeypatch.setattr(rollups, "run_rollups", rollups_spy)
    settings = Settings(db_path=tmp_path / "atlas.duckdb", duckdb_memory="3GB")
    build_database(tmp_path / "atlas.duckdb", BuildOptions(pings=40_000, days=7, partitions=4, keep_roads=False),
                   settings=settings)
    assert seen == {"simulate": _limit_as_shown(f"{pipeline.STORE_MEMORY_BYTES}B"),
                    "pipeline": _limit_as_shown(f"{pipeline.partition_memory(40_000, 4)}B"),
                    "rollups": _limit_as_shown("3GB")}
