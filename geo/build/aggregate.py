"""Run the pipeline on pings in Parquet and write its four tables as month-partitioned Parquet (``geo aggregate``).

The engine-neutral half of ``python -m geo aggregate``; ``geo/build/spark.py`` is the other engine.

There is one definition of the rules: :func:`run_partition` loads a set of whole devices' pings into an
in-memory DuckDB beside a copy of the atlas's places, zones and cell → zone lookup (:class:`Reference`)
and runs :func:`geo.build.pipeline.run_pipeline` on them, the very code ``geo build`` runs (stay
detection, NumPy steps, H3 cells from the ``h3`` package, zones from the ``cells`` table with the exact
point-in-zone fallback). The DuckDB engine (:func:`aggregate_duckdb`) runs it once on all the pings;
the Spark engine runs it per device bucket and then adds up the two outputs that count across devices
(:data:`SUMS`). Stays and place visits belong to one device each, so the buckets' rows are simply the
rows; hourly presence counts each device once per cell-hour and group, so buckets (disjoint sets of
devices) add up exactly; its minutes are whole microseconds (``staysteps.hourly_presence``), added as
integers and divided once, so both engines give the same floating-point value.

Output layout (both engines, the same Parquet schema): ``DIR/<table>/month=YYYY-MM/*.parquet`` with the
columns of the atlas's views ``stays``, ``place_visits``, ``visits_hourly`` and ``trips``. Spark has no
unsigned 64-bit integer, so the salted device hash is written as ``decimal(20,0)`` (how Spark reads a
Parquet ``UINT_64``) and H3 cells as signed 64-bit integers (bit 63 of an H3 index is always 0).
``python -m geo import DIR --layer pipeline-output`` loads such a folder into the atlas.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from geo import sql
from geo.build import pipeline
from geo.db import connect
from geo.errors import FlowDataError
from geo.i18n import _
from geo.settings import Settings, get_settings

OUTPUT_TABLES = pipeline.OUTPUT_TABLES

#: The time column each output is partitioned by month on (``month=YYYY-MM`` folders).
MONTH_OF = {"stays": "stay_start", "place_visits": "visit_start", "visits_hourly": "ts_hour", "trips": "day"}
PARTITION_COLUMN = "month"

#: Outputs counted across devices: per device bucket these columns are summed over rows with equal other
#: columns. ``dwell_minutes`` is summed as whole microseconds (:data:`US_PER_MINUTE`).
SUMS: dict[str, tuple[str, ...]] = {"visits_hourly": ("visitors", "dwell_minutes"), "trips": ("trips",)}
US_PER_MINUTE = 60_000_000.0

#: Unsigned 64-bit columns that fit a signed one (H3 indexes); any other (the device hash) is written as
#: decimal(20,0).
SIGNED_64 = ("cell",)
DEVICE_DECIMAL = pa.decimal128(20, 0)

#: Columns the pings must have (the atlas's ``pings`` table: device is the salted 64-bit hash).
PING_COLUMNS = ("device", "ts", "lon", "lat", "segment")

#: What a run records beside its tables (engine, pings, counts, settings); the importer keeps it in ``meta``.
PROVENANCE_FILE = "_aggregate.json"

#: Rows per Arrow batch when the DuckDB engine streams an output to Parquet.
WRITE_BATCH_ROWS = 1 << 20


@dataclass(frozen=True)
class Reference:
    """What the pipeline reads besides the pings, copied from an atlas database: places, zones (geometry as
    WKB) and the H3 cells with their zone (the cell → zone lookup). Small (a province: a few MB), so it is
    sent whole to every partition (a Spark broadcast)."""

    places: pa.Table
    zones: pa.Table
    cells: pa.Table


@dataclass
class AggregateReport:
    """What ``geo aggregate`` wrote: rows per output table, pings read, seconds."""

    engine: str
    out_dir: Path
    pings: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary_lines(self) -> list[str]:
        """Plain-text summary for the command line."""
        rate = self.pings / self.seconds if self.seconds else 0.0
        lines = [f"{self.engine}: {self.pings:,} pings -> {self.out_dir} in {self.seconds:.1f} s "
                 f"({rate:,.0f} pings/s)"]
        lines += [f"  {t:<14} {n:>12,}" for t, n in self.counts.items()]
        return lines

    def record(self, pings_path: str | Path, params: pipeline.PipelineParams | None, *, simulated: bool) -> None:
        """Write ``PROVENANCE_FILE`` into the output folder (``simulated``: the pings are the simulator's)."""
        from geo import __version__

        info = {"engine": self.engine, "pings_path": str(pings_path), "simulated": simulated,
                "pings": self.pings, "counts": self.counts,
                "seconds": round(self.seconds, 3), "params": asdict(params or pipeline.PipelineParams()),
                "written_at": datetime.now(UTC).replace(microsecond=0).isoformat(), "version": __version__}
        (self.out_dir / PROVENANCE_FILE).write_text(json.dumps(info, indent=1), encoding="utf-8")


def read_reference(db_path: Path | str, settings: Settings | None = None) -> Reference:
    """Places, zones and cells of the atlas database at ``db_path`` (opened read-only)."""
    con = connect(db_path, "officials", read_only=True, settings=settings)
    try:
        return Reference(
            places=sql.execute(con, "build/aggregate_reference_places").to_arrow_table(),
            zones=sql.execute(con, "build/aggregate_reference_zones").to_arrow_table(),
            cells=sql.execute(con, "build/aggregate_reference_cells").to_arrow_table(),
        )
    finally:
        con.close()


def load_reference(con: duckdb.DuckDBPyConnection, ref: Reference) -> None:
    """Create places, zones and cells on ``con`` (the atlas's schema files) and fill them from ``ref``."""
    for name in ("schema/create_zones", "schema/create_places", "schema/create_cells"):
        sql.execute(con, name)
    for view, query, table in (("zones_frame", "build/insert_zones", ref.zones),
                               ("places_frame", "build/insert_places", ref.places),
                               ("cells_frame", "build/insert_cells", ref.cells)):
        con.register(view, table)
        try:
            sql.execute(con, query)
        finally:
            con.unregister(view)


def _insert_pings(con: duckdb.DuckDBPyConnection, source: object) -> None:
    """Create ``pings`` and insert ``source`` (an Arrow table or DuckDB relation with PING_COLUMNS)."""
    sql.execute(con, "schema/create_pings")
    con.register("pings_chunk", source)
    try:
        sql.execute(con, "build/insert_pings")
    finally:
        con.unregister("pings_chunk")


def run_partition(pings: pa.Table, ref: Reference, params: pipeline.PipelineParams | None = None,
                  settings: Settings | None = None) -> dict[str, pa.Table]:
    """The pipeline's four outputs (view columns) for ``pings`` holding every ping of their devices.

    One in-memory DuckDB per call: ``ref`` loaded, the pings inserted, ``run_pipeline`` (stream engine).
    """
    con = connect(":memory:", "officials", settings=settings)
    try:
        load_reference(con, ref)
        _insert_pings(con, pings.select(list(PING_COLUMNS)))
        pipeline.run_pipeline(con, params)
        return {t: sql.execute(con, "build/aggregate_output_rows", idents={"table": t}).to_arrow_table()
                for t in OUTPUT_TABLES}
    finally:
        con.close()


def empty_pings() -> pa.Table:
    """No pings, with the pings table's types (for the output schemas)."""
    return pa.table({"device": pa.array([], pa.uint64()), "ts": pa.array([], pa.timestamp("us")),
                     "lon": pa.array([], pa.float64()), "lat": pa.array([], pa.float64()),
                     "segment": pa.array([], pa.string())})


def parquet_files(path: Path) -> str:
    """The glob of the Parquet files under ``path`` (a file, or a folder read recursively)."""
    return str(path / "**" / "*.parquet") if path.is_dir() else str(path)


def check_pings_path(path: Path) -> None:
    """Refuse a pings path that holds no Parquet file."""
    if path.is_dir() and not any(path.rglob("*.parquet")):
        msg = _("{path}: the folder holds no .parquet files (pings for `geo aggregate` are Parquet)").format(path=path)
        raise FlowDataError(msg)
    if not path.exists():
        msg = _("{path}: no such file or folder").format(path=path)
        raise FlowDataError(msg)


def check_ping_columns(columns: list[str], where: str) -> None:
    """Refuse pings without the columns the pipeline reads."""
    missing = [c for c in PING_COLUMNS if c not in columns]
    if missing:
        msg = _("{where}: the pings lack column(s) {missing}; `geo aggregate` reads the atlas's pings layout "
                "({columns}; device = salted 64-bit hash). Load a raw feed with "
                "`python -m geo import FILE --layer pings` instead").format(
            where=where, missing=", ".join(missing), columns=", ".join(PING_COLUMNS))
        raise FlowDataError(msg)


def parquet_table(table: pa.Table | pa.RecordBatch, output: str) -> pa.Table:
    """An output's rows in the Parquet schema both engines write: unsigned 64-bit columns as signed (H3
    cells) or decimal(20,0) (the device hash), and the ``month`` partition column."""
    columns, names = [], []
    for name, column in zip(table.schema.names, table.columns, strict=True):
        if pa.types.is_uint64(column.type):
            column = column.cast(pa.int64()) if name in SIGNED_64 else column.cast(DEVICE_DECIMAL)
        columns.append(column)
        names.append(name)
    month = pc.strftime(table.column(MONTH_OF[output]), format="%Y-%m")
    return pa.Table.from_arrays([*columns, month], names=[*names, PARTITION_COLUMN])


def write_output(out_dir: Path, output: str, batches: Iterator[pa.RecordBatch], schema: pa.Schema) -> None:
    """Write one output as ``out_dir/<output>/month=YYYY-MM/part-N.parquet``, replacing that folder."""
    target = out_dir / output
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    converted = parquet_table(schema.empty_table(), output).schema

    def tables() -> Iterator[pa.RecordBatch]:
        for batch in batches:
            yield from parquet_table(pa.Table.from_batches([batch], schema), output).to_batches()

    ds.write_dataset(
        ds.Scanner.from_batches(tables(), schema=converted), target, format="parquet",
        partitioning=ds.partitioning(pa.schema([(PARTITION_COLUMN, pa.string())]), flavor="hive"),
        basename_template="part-{i}.parquet", existing_data_behavior="overwrite_or_ignore",
        max_rows_per_group=WRITE_BATCH_ROWS,
    )


def count_rows(out_dir: Path) -> dict[str, int]:
    """Rows of each output table written under ``out_dir``."""
    con = connect(":memory:", "officials")
    try:
        counts = {}
        for t in OUTPUT_TABLES:
            folder = out_dir / t
            counts[t] = (int(sql.fetch_one(con, "build/aggregate_count_rows", {"files": parquet_files(folder)})["n"])
                         if any(folder.rglob("*.parquet")) else 0)
        return counts
    finally:
        con.close()


def count_pings(pings_path: Path, settings: Settings | None = None) -> int:
    """Rows of the pings Parquet (from the files' metadata)."""
    con = connect(":memory:", "officials", settings=settings)
    try:
        return int(sql.fetch_one(con, "build/aggregate_count_rows", {"files": parquet_files(Path(pings_path))})["n"])
    finally:
        con.close()


def aggregate_duckdb(pings_path: Path, out_dir: Path, *, db_path: Path | None = None,
                     params: pipeline.PipelineParams | None = None, settings: Settings | None = None,
                     workdir: Path | None = None, simulated: bool = False) -> AggregateReport:
    """The local engine: the pings (Parquet file or hive-partitioned folder) into a temporary DuckDB file
    beside the atlas's reference tables, ``run_pipeline`` once, the four views written as Parquet.
    ``simulated`` marks simulated pings in the run's record, so an import keeps the tables labelled so."""
    started = time.perf_counter()
    settings = settings or get_settings()
    pings_path, out_dir = Path(pings_path), Path(out_dir)
    check_pings_path(pings_path)
    ref = read_reference(db_path or settings.db_path, settings)
    with tempfile.TemporaryDirectory(prefix="atlas-aggregate-", dir=workdir) as tmp:
        con = connect(Path(tmp) / "aggregate.duckdb", "officials", settings=settings)
        try:
            load_reference(con, ref)
            try:
                source = con.read_parquet(parquet_files(pings_path), hive_partitioning=pings_path.is_dir())
            except duckdb.Error as exc:
                msg = _("{path}: could not be read as Parquet: {error}").format(
                    path=pings_path, error=str(exc).splitlines()[0][:200])
                raise FlowDataError(msg) from None
            check_ping_columns(list(source.columns), str(pings_path))
            try:
                _insert_pings(con, source.select(*PING_COLUMNS))
            except duckdb.Error as exc:
                msg = _("{path}: a ping does not fit the atlas's pings table (device an unsigned 64-bit hash, "
                        "ts a local time, no empty value): {error}").format(
                    path=pings_path, error=str(exc).splitlines()[0][:200])
                raise FlowDataError(msg) from None
            n_pings = int(sql.fetch_one(con, "build/aggregate_count_pings")["n"])
            pipeline.run_pipeline(con, params)
            out_dir.mkdir(parents=True, exist_ok=True)
            for t in OUTPUT_TABLES:
                reader = sql.execute(con, "build/aggregate_output_rows", idents={"table": t}).to_arrow_reader(
                    WRITE_BATCH_ROWS)
                write_output(out_dir, t, iter(reader), reader.schema)
        finally:
            con.close()
    report = AggregateReport("duckdb", out_dir, n_pings, count_rows(out_dir))
    report.seconds = time.perf_counter() - started
    report.record(pings_path, params, simulated=simulated)
    return report

