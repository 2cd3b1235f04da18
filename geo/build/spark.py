"""The pipeline on Apache Spark: the same per-partition run (``geo.build.aggregate.run_partition``) per device bucket.

``python -m geo aggregate --engine spark``. Spark reads the pings (Parquet), hashes each device into one
of ``buckets`` buckets and hands every bucket's pings, as one Arrow table, to a Python worker
(``groupBy(bucket).applyInArrow``); the worker runs the atlas's own pipeline on them
(:func:`geo.build.aggregate.run_partition`: in-memory DuckDB, stay detection and the NumPy steps,
H3 from the ``h3`` package, the cell → zone lookup broadcast from the atlas database). No rule is
written twice: Spark only moves rows, adds up the outputs counted across devices
(``aggregate.SUMS``) and writes the month-partitioned Parquet ``aggregate.write_output`` writes.

The four outputs travel out of the worker as one wide table (``<table>__<column>`` columns plus
``_output``), cached, then split. Spark has no unsigned 64-bit type: device hashes cross as the signed
integer with the same 64 bits and are written as ``decimal(20,0)``.

Offline and local (``local[N]``): UI off, driver bound to 127.0.0.1, few shuffle partitions, workers
started with this interpreter (``PYSPARK_PYTHON``) and this checkout on their ``PYTHONPATH``. On a
cluster (``--master spark://...``, YARN, Kubernetes, or ``spark-submit``) the executors need the
``tourism-atlas`` package installed (docs/scale.md).
"""

from __future__ import annotations

import os
import sys
import time
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from geo.build import aggregate, pipeline
from geo.errors import ConfigError, FlowDataError
from geo.i18n import _
from geo.settings import Settings, get_settings

if TYPE_CHECKING:
    from pyspark.broadcast import Broadcast
    from pyspark.sql import Column, DataFrame, SparkSession

#: Settings of a local session (STACK-NOTES: offline, ~6 s to start).
LOCAL_CONF = {
    "spark.ui.enabled": "false",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.shuffle.partitions": "2",
    "spark.ui.showConsoleProgress": "false",
}
#: Settings of every session: naive local timestamps are read and written as such (no time zone shift).
COMMON_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.inferTimestampNTZ.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
#: Device buckets by default: each bucket's pings are one Arrow table in one worker's memory, so at
#: national scale choose about pings / 20 million (docs/scale.md).
DEFAULT_BUCKETS = 8
OUTPUT_COLUMN = "_output"
BUCKET_COLUMN = "_bucket"
_TWO_64 = Decimal(2**64)
_TWO_63 = Decimal(2**63)


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        msg = _("the Spark engine needs PySpark: install the project with its spark extra "
                "(`pip install -e '.[spark]'`, which `make setup` does) and Java 17")
        raise ConfigError(msg) from None


def session(master: str | None = "local[2]", *, app_name: str = "tourism-atlas-aggregate",
            conf: dict[str, str] | None = None) -> SparkSession:
    """A Spark session for ``master``; local masters get the offline settings (``LOCAL_CONF``).

    ``master=None`` keeps the master ``spark-submit`` gave (``local[2]`` outside spark-submit). Python
    workers run this interpreter with this checkout importable (local mode inherits the environment; a
    cluster's executors need the package installed).
    """
    _require_pyspark()
    from pyspark.sql import SparkSession

    if master is None and "PYSPARK_GATEWAY_PORT" not in os.environ:  # not launched by spark-submit
        master = "local[2]"
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    root = str(Path(__file__).resolve().parents[2])
    paths = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    if root not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *[p for p in paths if p]])
    builder = SparkSession.builder.appName(app_name)
    if master is not None:
        builder = builder.master(master)
    local = master is not None and master.startswith("local")
    if local:
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # the JVM binds and names itself on loopback
    for key, value in {**COMMON_CONF, **(LOCAL_CONF if local else {}), **(conf or {})}.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def stop(spark: SparkSession) -> None:
    """Stop the session and end the JVM PySpark launched for this process, if it launched one (under
    ``spark-submit`` the JVM is not ours). Without this the JVM idles until the process exits."""
    import subprocess

    from pyspark import SparkContext

    gateway = SparkContext._gateway
    spark.stop()
    proc = getattr(gateway, "proc", None)
    if proc is None:
        return
    gateway.shutdown()
    if proc.stdin:
        proc.stdin.close()  # the launched JVM exits when its standard input closes
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    SparkContext._gateway = None
    SparkContext._jvm = None


def _spark_type(arrow_type: pa.DataType) -> str:
    """Spark SQL type of an output column's Arrow type (unsigned 64-bit: its bits as a signed bigint)."""
    if pa.types.is_timestamp(arrow_type):
        return "timestamp_ntz"
    names = {pa.uint64(): "bigint", pa.int64(): "bigint", pa.int32(): "int", pa.int16(): "smallint",
             pa.int8(): "tinyint", pa.float64(): "double", pa.string(): "string", pa.date32(): "date",
             pa.bool_(): "boolean"}
    if arrow_type not in names:
        msg = f"no Spark type for output column type {arrow_type}"
        raise ConfigError(msg)
    return names[arrow_type]


def wide_schema(outputs: dict[str, pa.Table]) -> pa.Schema:
    """One schema holding every output's columns (``<table>__<column>``) and the ``_output`` name."""
    fields = [pa.field(OUTPUT_COLUMN, pa.string())]
    for table, rows in outputs.items():
        for f in rows.schema:
            kind = pa.int64() if pa.types.is_uint64(f.type) else f.type
            fields.append(pa.field(f"{table}__{f.name}", kind))
    return pa.schema(fields)


def _signed(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Unsigned 64-bit values as the signed integers with the same bits (and back with ``_unsigned``)."""
    return pa.chunked_array([c.view(pa.int64()) for c in column.chunks], pa.int64())


def _unsigned(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pa.chunked_array([c.view(pa.uint64()) for c in column.chunks], pa.uint64())


def bucket_outputs(pings: pa.Table, *, reference: Broadcast | aggregate.Reference,
                   params: pipeline.PipelineParams, schema: pa.Schema) -> pa.Table:
    """The Spark task: one bucket's pings (device as signed bigint) → its four outputs as one wide table."""
    ref = reference if isinstance(reference, aggregate.Reference) else reference.value
    pings = pings.set_column(pings.schema.get_field_index("device"), "device", _unsigned(pings.column("device")))
    outputs = aggregate.run_partition(pings, ref, params)
    parts = []
    for table, rows in outputs.items():
        columns = {OUTPUT_COLUMN: pa.array([table] * rows.num_rows, pa.string())}
        for name, column in zip(rows.schema.names, rows.columns, strict=True):
            columns[f"{table}__{name}"] = _signed(column) if pa.types.is_uint64(column.type) else column
        parts.append(pa.table(columns))
    wide = pa.concat_tables(parts, promote_options="default")
    return wide.select(schema.names).cast(schema)


def _device_as_long(column: Column, spark_type: str) -> Column:
    """The pings' device (an unsigned 64-bit hash; Parquet UINT_64 reads as decimal(20,0)) as the signed
    bigint with the same bits."""
    from pyspark.sql import functions as F

    if spark_type.startswith("decimal"):
        return F.when(column >= F.lit(_TWO_63), column - F.lit(_TWO_64)).otherwise(column).cast("bigint")
    if spark_type in ("bigint", "int", "smallint", "tinyint"):
        return column.cast("bigint")
    msg = _("pings.device is {kind}; `geo aggregate` needs the salted 64-bit hash as an integer "
            "(import a raw feed with `python -m geo import FILE --layer pings`)").format(kind=spark_type)
    raise FlowDataError(msg)


def _device_as_decimal(column: Column) -> Column:
    """A signed bigint device back to its unsigned value, as decimal(20,0) (``aggregate.DEVICE_DECIMAL``)."""
    from pyspark.sql import functions as F

    value = column.cast("decimal(20,0)")
    return F.when(column < 0, (value + F.lit(_TWO_64)).cast("decimal(20,0)")).otherwise(value)


def is_remote(path: str | Path) -> bool:
    """True for a URI Spark reads through Hadoop (``hdfs://``, ``s3a://``, ...), not a local path."""
    return "://" in str(path) and not str(path).startswith("file://")


def read_pings(spark: SparkSession, path: str | Path) -> DataFrame:
    """The pings Parquet (a file or hive-partitioned folder, local or a Hadoop URI) as (device bigint, ts,
    lon, lat, segment)."""
    from pyspark.sql import functions as F

    if not is_remote(path):
        aggregate.check_pings_path(Path(path))
    frame = spark.read.parquet(str(path))
    aggregate.check_ping_columns(frame.columns, str(path))
    types = dict(frame.dtypes)
    return frame.select(
        _device_as_long(F.col("device"), types["device"]).alias("device"),
        F.col("ts").cast("timestamp_ntz").alias("ts"),
        F.col("lon").cast("double").alias("lon"),
        F.col("lat").cast("double").alias("lat"),
        F.col("segment").cast("string").alias("segment"),
    )


def _output_frame(wide: DataFrame, table: str, columns: list[str]) -> DataFrame:
    """One output from the wide rows: its columns, summed across buckets where it counts devices."""
    from pyspark.sql import functions as F

    rows = wide.where(F.col(OUTPUT_COLUMN) == table).select(
        *[F.col(f"{table}__{c}").alias(c) for c in columns])
    sums = aggregate.SUMS.get(table, ())
    if sums:
        keys = [c for c in columns if c not in sums]
        totals = []
        for c in sums:
            if c == "dwell_minutes":  # whole microseconds, added exactly, divided once
                us = F.round(F.col(c) * F.lit(aggregate.US_PER_MINUTE)).cast("bigint")
                totals.append((F.sum(us).cast("double") / F.lit(aggregate.US_PER_MINUTE)).alias(c))
            else:
                totals.append(F.sum(F.col(c)).cast("int").alias(c))
        rows = rows.groupBy(*keys).agg(*totals).select(*columns)
    if "device" in columns:
        rows = rows.withColumn("device", _device_as_decimal(F.col("device")))
    return rows.withColumn(aggregate.PARTITION_COLUMN, F.date_format(F.col(aggregate.MONTH_OF[table]), "yyyy-MM"))


def aggregate_spark(spark: SparkSession, pings_path: str | Path, out_dir: Path, *, db_path: Path | None = None,
                    params: pipeline.PipelineParams | None = None, buckets: int = DEFAULT_BUCKETS,
                    settings: Settings | None = None, simulated: bool = False) -> aggregate.AggregateReport:
    """Run the pipeline on Spark over the pings at ``pings_path`` (a local path or a Hadoop URI such as
    ``hdfs://`` or ``s3a://``); write the four outputs under ``out_dir`` (a path every node and the driver
    see) exactly as ``aggregate.aggregate_duckdb`` does (same columns, types and layout; ``simulated`` as
    there)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    if buckets < 1:
        msg = _("buckets must be 1 or more, got {buckets}").format(buckets=buckets)
        raise ConfigError(msg)
    started = time.perf_counter()
    settings = settings or get_settings()
    params = params or pipeline.PipelineParams()
    out_dir = Path(out_dir)
    ref = aggregate.read_reference(db_path or settings.db_path, settings)
    # the output columns and types: the pipeline run on no pings (on the driver, ~0.2 s)
    empty = aggregate.run_partition(aggregate.empty_pings(), ref, params, settings)
    schema = wide_schema(empty)
    from pyspark.sql.types import StructType

    spark_schema = StructType.fromDDL(", ".join(f"`{f.name}` {_spark_type(f.type)}" for f in schema))
    pings = read_pings(spark, pings_path)
    task = partial(bucket_outputs, reference=spark.sparkContext.broadcast(ref), params=params, schema=schema)
    wide = (pings.withColumn(BUCKET_COLUMN, F.pmod(F.xxhash64("device"), F.lit(buckets)))
            .groupBy(BUCKET_COLUMN)
            .applyInArrow(lambda table: task(table.drop_columns([BUCKET_COLUMN])), spark_schema)
            .persist(StorageLevel.MEMORY_AND_DISK))
    n_pings = pings.count() if is_remote(pings_path) else aggregate.count_pings(Path(pings_path), settings)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for table, rows in empty.items():
            frame = _output_frame(wide, table, rows.schema.names)
            frame.write.mode("overwrite").partitionBy(aggregate.PARTITION_COLUMN).parquet(str(out_dir / table))
    finally:
        wide.unpersist()
    report = aggregate.AggregateReport("spark", out_dir, n_pings, aggregate.count_rows(out_dir))
    report.seconds = time.perf_counter() - started
    report.record(pings_path, params, simulated=simulated)
    return report


def describe(spark: SparkSession) -> dict[str, Any]:
    """Master, Spark version and default parallelism of a session (for the command line)."""
    sc = spark.sparkContext
    return {"master": sc.master, "version": spark.version, "parallelism": sc.defaultParallelism}
