"""``geo aggregate`` on Spark and DuckDB, and ``geo import --layer pipeline-output``.

One small simulated world (one zone without cells in the cells table, so some stays take the exact
point-in-zone fallback), its pings written as day-partitioned Parquet, both engines run once per module
(one local Spark session: ~6 s to start): the Spark output must equal the DuckDB output row for row in
all four tables, and the DuckDB output must be the atlas's own pipeline tables. Test names contain
``spark`` (``pytest -k spark``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from geo.__main__ import main
from geo.build import aggregate, pipeline, simulate, spark_job
from geo.build import spark as spark_engine
from geo.db import connect
from geo.errors import FlowDataError, ImportRefusedError
from geo.ingest.run import ImportOptions, import_file
from tests.pipeline_fixtures import SIM_PLACES, SIM_ZONES, load_world

pytestmark = pytest.mark.slow

#: the zones whose cells are loaded: stays in doi_inthanon_chom_thong find their zone by containment
CELL_ZONES = ["city", "doi_suthep_pui", "mae_rim"]
BUCKETS = 3


@pytest.fixture(scope="module")
def spark_world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """An atlas file with simulated pings through the pipeline, the pings as Parquet, both engines' output."""
    root = tmp_path_factory.mktemp("spark")
    db = root / "atlas.duckdb"
    con = connect(db)
    try:
        load_world(con, SIM_PLACES, SIM_ZONES, cell_zones=CELL_ZONES)
        simulate.simulate_pings(con, seed=11, days=4, start=dt.date(2025, 11, 29), visitors=250)
        pipeline.run_pipeline(con)
        pings = con.sql("select *, cast(ts as date) as day from pings").arrow()
        pq.write_to_dataset(pings.read_all() if hasattr(pings, "read_all") else pings, root / "pings",
                            partition_cols=["day"])
    finally:
        con.close()
    aggregate.aggregate_duckdb(root / "pings", root / "duckdb", db_path=db)  # not marked simulated (a test)
    return {"root": root, "db": db, "pings": root / "pings", "duckdb": root / "duckdb"}


@pytest.fixture(scope="module")
def spark_output(spark_world: dict[str, Path]) -> Path:
    """The Spark engine's output (local[2], one session for the module)."""
    session = spark_engine.session("local[2]")
    try:
        session.sparkContext.setLogLevel("ERROR")
        out = spark_world["root"] / "spark"
        report = spark_engine.aggregate_spark(session, spark_world["pings"], out, db_path=spark_world["db"],
                                              buckets=BUCKETS, simulated=True)
        assert report.pings > 10_000 and all(report.counts.values())
    finally:
        spark_engine.stop(session)
    return out



def _sorted(con: duckdb.DuckDBPyConnection, rel: duckdb.DuckDBPyRelation) -> list[tuple]:
    """Every row of ``rel``, in one total order."""
    return rel.order("all").fetchall()


def _rows(folder: Path, table: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        written = con.read_parquet(str(folder / table / "**" / "*.parquet"), hive_partitioning=True)
        return _sorted(con, written.project("* exclude (month)"))
    finally:
        con.close()


@pytest.mark.parametrize("table", aggregate.OUTPUT_TABLES)
def test_spark_output_equals_duckdb_row_for_row(spark_world: dict[str, Path], spark_output: Path,
                                                table: str) -> None:
    expected = _rows(spark_world["duckdb"], table)
    assert len(expected) > 100
    assert _rows(spark_output, table) == expected  # every value exact, the float minutes and centres too


@pytest.mark.parametrize("table", aggregate.OUTPUT_TABLES)
def test_spark_and_duckdb_write_one_parquet_schema(spark_world: dict[str, Path], spark_output: Path,
                                                  table: str) -> None:
    def schema(folder: Path) -> list[tuple[str, str]]:
        first = sorted((folder / table).rglob("*.parquet"))[0]
        return [(f.name, str(f.type)) for f in pq.read_schema(first)]

    assert schema(spark_output) == schema(spark_world["duckdb"])
    assert sorted(p.name for p in (spark_output / table).iterdir() if p.is_dir()) == ["month=2025-11",
                                                                                      "month=2025-12"]


def test_spark_world_has_what_the_comparison_needs(spark_world: dict[str, Path]) -> None:
    """Devices above 2**63 (signed in Spark), stays placed by containment, cell-hours shared by devices."""
    con = connect(spark_world["db"], read_only=True)
    try:
        high, fallback, shared = con.execute("""
            select
                (select count(*) from stays where device >= 9223372036854775808),
                (select count(*) from stays where zone_id = 'doi_inthanon_chom_thong'),
                (select count(*) from visits_hourly where visitors > 1)""").fetchone()
    finally:
        con.close()
    assert high > 0 and fallback > 0 and shared > 0


def test_spark_duckdb_engine_writes_the_atlas_pipeline_tables(spark_world: dict[str, Path]) -> None:
    con = connect(spark_world["db"], read_only=True)
    try:
        for table in aggregate.OUTPUT_TABLES:
            atlas = _sorted(con, con.table(table))
            assert _rows(spark_world["duckdb"], table) == atlas  # decimal(20,0) devices equal the integers
    finally:
        con.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every output view and rollup table's rows (what the pages read), sorted."""
    names = [r[0] for r in con.execute(
        "select table_name from duckdb_tables() where schema_name = 'main' and not temporary and table_name not in "
        "('pings', 'meta', 'labels') and table_name not like '%\\_data' escape '\\'").fetchall()]
    return {n: _sorted(con, con.table(n)) for n in [*names, *aggregate.OUTPUT_TABLES]}


def test_spark_output_import_makes_the_app_read_the_same_tables(spark_world: dict[str, Path],
                                                                spark_output: Path, tmp_path: Path) -> None:
    """Spark's Parquet imported into a copy: views and rollups equal the atlas's own build."""
    from geo.build import rollups

    reference = tmp_path / "reference.duckdb"
    shutil.copy(spark_world["db"], reference)
    con = connect(reference)
    try:
        rollups.run_rollups(con)
        expected = _tables(con)
    finally:
        con.close()
    target = tmp_path / "target.duckdb"
    shutil.copy(spark_world["db"], target)
    report = import_file(spark_output, ImportOptions(layer="pipeline-output"), target)
    assert report.written and report.accepted == sum(len(expected[t]) for t in aggregate.OUTPUT_TABLES)
    con = connect(target, read_only=True)
    try:
        got = _tables(con)
        assert got.keys() == expected.keys() and len(got) > 10
        for name in aggregate.OUTPUT_TABLES:
            assert got[name] == expected[name], name
        for name in set(expected) - set(aggregate.OUTPUT_TABLES):  # rollups: their float sums follow row order
            assert len(got[name]) == len(expected[name]), name
            for a, b in zip(got[name], expected[name], strict=True):
                assert list(a) == [
                    pytest.approx(v, rel=1e-12) if isinstance(v, float) else v for v in b], name
        assert con.execute("select count(*) from pings").fetchone() == (0,)
        simulated, params = con.execute("select simulated, params from meta where dataset = 'flows' "
                                        "order by built_at desc limit 1").fetchone()
        params = json.loads(params)
        assert params["layer"] == "pipeline-output" and params["aggregate"]["engine"] == "spark"
        assert simulated  # made from simulated pings with simulated=True: still labelled simulated
    finally:
        con.close()


@pytest.mark.parametrize("damage", ["no_trips", "extra_column", "unknown_zone"])
def test_pipeline_output_import_refuses_and_leaves_the_database(spark_world: dict[str, Path], tmp_path: Path,
                                                                damage: str) -> None:
    folder = tmp_path / "out"
    shutil.copytree(spark_world["duckdb"], folder)
    con = duckdb.connect()
    try:
        if damage == "no_trips":
            shutil.rmtree(folder / "trips")
        else:
            target = sorted((folder / "stays").rglob("*.parquet"))[0]
            change = ("*, 1 as extra" if damage == "extra_column"
                      else "* replace ('atlantis' as zone_id)")
            con.read_parquet(str(target)).project(change).write_parquet(str(tmp_path / "x.parquet"))
            shutil.move(tmp_path / "x.parquet", target)
    finally:
        con.close()
    db = tmp_path / "atlas.duckdb"
    shutil.copy(spark_world["db"], db)
    before = _digest(db)
    with pytest.raises(ImportRefusedError, match={"no_trips": "no trips folder", "extra_column": "unexpected: extra",
                                                  "unknown_zone": "atlantis"}[damage]):
        import_file(folder, ImportOptions(layer="pipeline-output"), db)
    assert _digest(db) == before


def test_pipeline_output_import_refuses_options_that_do_not_apply(spark_world: dict[str, Path]) -> None:
    with pytest.raises(ImportRefusedError, match="--level does not apply"):
        import_file(spark_world["duckdb"], ImportOptions(layer="pipeline-output", level="district"), spark_world["db"])


def test_aggregate_cli_duckdb_and_its_refusals(spark_world: dict[str, Path], tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    assert main(["aggregate", "--engine", "duckdb", "--pings", str(spark_world["pings"]), "--out", str(out),
                 "--db", str(spark_world["db"]), "--json", "--simulated"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["counts"] == aggregate.count_rows(spark_world["duckdb"])
    record = json.loads((out / aggregate.PROVENANCE_FILE).read_text())
    assert record["engine"] == "duckdb" and record["simulated"] is True
    assert json.loads((spark_world["duckdb"] / aggregate.PROVENANCE_FILE).read_text())["simulated"] is False
    assert main(["aggregate", "--engine", "duckdb", "--pings", str(tmp_path / "none"), "--out", str(out),
                 "--db", str(spark_world["db"])]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["aggregate", "--engine", "duckdb", "--buckets", "4", "--pings", str(spark_world["pings"]),
                 "--out", str(out), "--db", str(spark_world["db"])]) == 2


def test_aggregate_refuses_pings_without_the_atlas_columns(spark_world: dict[str, Path], tmp_path: Path) -> None:
    bad = tmp_path / "pings.parquet"
    con = duckdb.connect()
    try:
        pings = con.read_parquet(str(spark_world["pings"] / "**" / "*.parquet"), hive_partitioning=True)
        pings.project("device, ts, lon, lat").write_parquet(str(bad))
    finally:
        con.close()
    with pytest.raises(FlowDataError, match="lack column\\(s\\) segment"):
        aggregate.aggregate_duckdb(bad, tmp_path / "out", db_path=spark_world["db"])


def _spark_submit() -> Path:
    """PySpark's ``spark-submit`` launcher: in the virtualenv's bin, else in the pyspark package."""
    import pyspark

    beside = Path(sys.executable).with_name("spark-submit")
    return beside if beside.exists() else Path(pyspark.__file__).parent / "bin" / "spark-submit"


def test_spark_submit_runs_the_job_file_and_writes_the_duckdb_rows(spark_world: dict[str, Path],
                                                                   tmp_path: Path) -> None:
    """docs/scale.md's spark-submit command in local[2]: the job file under Spark's own launcher takes
    spark-submit's master and writes the DuckDB engine's rows, all four tables."""
    root = Path(spark_job.__file__).resolve().parents[2]
    out = tmp_path / "flows"
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable,
           "SPARK_LOCAL_IP": "127.0.0.1",
           "PYTHONPATH": os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)}
    done = subprocess.run([
        str(_spark_submit()), "--master", "local[2]",
        "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.bindAddress=127.0.0.1",
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.sql.shuffle.partitions=2",
        str(root / "geo" / "build" / "spark_job.py"),
        "--pings", str(spark_world["pings"]), "--out", str(out), "--db", str(spark_world["db"]),
        "--buckets", "2", "--json",
    ], env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert lines[0].startswith("spark: local[2], Spark 4.")  # spark-submit's master, not a default
    assert json.loads(lines[-1])["engine"] == "spark"
    for table in aggregate.OUTPUT_TABLES:
        assert _rows(out, table) == _rows(spark_world["duckdb"], table), table


def test_spark_job_refuses_an_engine_or_a_master_of_its_own(capsys: pytest.CaptureFixture[str]) -> None:
    assert spark_job.main(["--engine", "duckdb", "--pings", "p", "--out", "o"]) == 2
    assert spark_job.main(["--master=local[1]", "--pings", "p", "--out", "o"]) == 2
    assert "give the master to spark-submit" in capsys.readouterr().err
