"""Benchmark ``geo aggregate``: the same pings through the DuckDB and the Spark engine, pings per second.

``python -m bench.aggregate --pings N [--buckets B] [--master URL] [--json PATH]`` builds a temporary
atlas with N simulated pings (``geo build``), writes its pings as day-partitioned Parquet, runs
``geo aggregate`` on both engines (Spark: its session start timed apart), checks the two outputs are equal
row for row and prints seconds and pings/s per engine. Figures go to docs/scale.md; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds

from geo import sql
from geo.build import aggregate
from geo.build.run import BuildOptions, build_database
from geo.db import connect


def write_pings(db: Path, out: Path) -> int:
    """The database's pings as ``out/day=YYYY-MM-DD/*.parquet``; returns the rows written."""
    con = connect(db, read_only=True)
    try:
        reader = sql.execute(con, "bench/aggregate_pings_by_day").to_arrow_reader(1 << 20)
        ds.write_dataset(reader, out, format="parquet", partitioning=ds.partitioning(
            pa.schema([("day", pa.date32())]), flavor="hive"), existing_data_behavior="delete_matching")
    finally:
        con.close()
    return aggregate.count_pings(out)


def _rows(folder: Path, table: str) -> list[tuple]:
    con = duckdb.connect()
    try:
        rel = con.read_parquet(str(folder / table / "**" / "*.parquet"), hive_partitioning=True)
        return rel.project("* exclude (month)").order("all").fetchall()
    finally:
        con.close()


def run(pings: int, *, buckets: int, master: str, workdir: Path) -> dict[str, Any]:
    """Build, write, aggregate on both engines; the measures as a dict."""
    db = workdir / "atlas.duckdb"
    build_database(db, BuildOptions(pings=pings, keep_roads=False))
    n = write_pings(db, workdir / "pings")
    result: dict[str, Any] = {"pings": n, "buckets": buckets, "master": master, "load_average": os.getloadavg()}
    duck = aggregate.aggregate_duckdb(workdir / "pings", workdir / "duckdb", db_path=db, simulated=True)
    result["duckdb_seconds"] = round(duck.seconds, 2)
    result["duckdb_pings_per_s"] = round(n / duck.seconds)
    from geo.build import spark

    t0 = time.perf_counter()
    session = spark.session(master)
    session.sparkContext.setLogLevel("ERROR")
    result["spark_start_seconds"] = round(time.perf_counter() - t0, 2)
    try:
        runs = [spark.aggregate_spark(session, workdir / "pings", workdir / "spark", db_path=db, buckets=buckets,
                                      simulated=True) for _ in range(2)]
    finally:
        session.stop()
    result["spark_first_seconds"] = round(runs[0].seconds, 2)  # Python workers start and import here
    result["spark_seconds"] = round(runs[1].seconds, 2)
    result["spark_pings_per_s"] = round(n / runs[1].seconds)
    result["counts"] = duck.counts
    result["equal"] = all(_rows(workdir / "duckdb", t) == _rows(workdir / "spark", t)
                          for t in aggregate.OUTPUT_TABLES)
    return result


def main(argv: list[str] | None = None) -> int:
    """Command line (see the module docstring)."""
    parser = argparse.ArgumentParser(prog="python -m bench.aggregate", description=__doc__.splitlines()[0])
    parser.add_argument("--pings", type=int, default=1_000_000)
    parser.add_argument("--buckets", type=int, default=8)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="atlas-bench-aggregate-", dir=args.workdir) as tmp:
        result = run(args.pings, buckets=args.buckets, master=args.master, workdir=Path(tmp))
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        args.json.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
