"""Import an operator's raw pings (device, time, lat, lon, optional segment) and run the pipeline on them.

Unlike places and boundaries, a pings file can hold a billion rows, so nothing here loads it into Python:
DuckDB reads the CSV or (partitioned) Parquet as a stream, one SQL pass (``queries/ingest/pings_checked.sql``)
checks every row and writes it with its verdict to Parquet files in a folder beside the database, one
subfolder per bucket of the salted device hash (its top bits), and only the problem rows are fetched (the
first ``PROBLEM_LIMIT`` for the report; every problem is counted). Accepted rows replace the ``pings`` table
of a staged copy of the database one device partition after another, each read from its own bucket folders
(deleted once loaded), so the table is stored clustered by partition as the simulator stores it; the
pipeline and rollups run there, and the copy is swapped in (``load.staged``). Memory is DuckDB's limit and
one partition, whatever the number of rows; disk is about the checked rows' size again while they load.
The imported flows replace the simulated ones: ``meta`` records dataset ``flows`` as real, with its source.
"""

from __future__ import annotations

import codecs
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from geo import sql
from geo.db import connect
from geo.errors import ImportRefusedError
from geo.i18n import _
from geo.ingest import fields, load
from geo.ingest.model import Problem, kind_text, reason_text
from geo.settings import PROVINCE_BBOX, Settings

#: Problem rows fetched for the report (every problem is still counted in the summary).
PROBLEM_LIMIT = 10_000
#: Bytes read to sniff a text file's encoding.
SNIFF_BYTES = 1 << 20
PINGS_FORMATS = ("csv", "tsv", "txt", "parquet")
#: Bytes of the shortest CSV row assumed when sizing the buckets of a CSV feed (its rows are not counted
#: first; too many buckets only means more, smaller folders).
MIN_CSV_ROW_BYTES = 24


def _refuse(message: str) -> ImportRefusedError:
    return ImportRefusedError(message, [Problem(None, None, message, "refused")])


def pings_format(path: Path, name: str) -> str:
    """``csv`` or ``parquet`` (a Parquet file or a folder of them); anything else is refused."""
    if path.is_dir():
        if not any(path.rglob("*.parquet")):
            raise _refuse(f"{name}: the folder holds no .parquet files; pings come as CSV/TSV or Parquet")
        return "parquet"
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in PINGS_FORMATS:
        raise _refuse(f"{name}: pings must be CSV/TSV or Parquet (a file or a partitioned folder), not .{suffix}")
    head = path.read_bytes()[:4] if path.stat().st_size else b""
    if suffix == "parquet" or head == b"PAR1":
        if head != b"PAR1":
            raise _refuse(f"{name}: named .parquet but is not a Parquet file (no PAR1 header)")
        return "parquet"
    return "csv"


def _looks_thai_legacy(sample: bytes) -> bool:
    """True when non-UTF-8 bytes read as cp874 (TIS-620 plus Windows punctuation) give mostly Thai letters.

    A general detector (charset-normalizer) guesses Japanese or Cyrillic code pages on short Thai samples;
    Thai feeds are the only legacy encoding the atlas expects, so the test is specific: every byte decodes
    and at least 80% of the non-ASCII characters are in the Thai block.
    """
    try:
        text = sample.decode("cp874", errors="strict")
    except UnicodeDecodeError:
        return False
    high = [ch for ch in text if ord(ch) > 127]
    return bool(high) and sum("\u0e00" <= ch <= "\u0e7f" for ch in high) >= 0.8 * len(high)


def _utf8_copy(path: Path, name: str, workdir: Path) -> tuple[Path, str]:
    """The file itself when it is UTF-8 (BOM or not); else a streamed UTF-8 copy of a cp874/TIS-620 file."""
    with path.open("rb") as fh:
        sample = fh.read(SNIFF_BYTES)
    if not sample.strip(b"\xef\xbb\xbf \r\n\t"):
        raise _refuse(f"{name} is empty")
    try:
        # a sample may end inside a multi-byte character: decode incrementally and ignore an unfinished tail
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return path, "utf-8-sig" if sample.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    if not _looks_thai_legacy(sample):
        raise _refuse(f"{name}: not UTF-8 text, and not Thai TIS-620/cp874 either; save it as UTF-8")
    target = workdir / "pings-utf8.csv"
    with path.open("r", encoding="cp874", errors="strict", newline="") as src, \
            target.open("w", encoding="utf-8", newline="") as out:
        while chunk := src.read(1 << 22):
            out.write(chunk)
    return target, "cp874"


#: Columns DuckDB can add to a Parquet read: each file's row number and the file's path.
_PARQUET_EXTRA = ("file_row_number", "filename")


def _source(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, name: str,
            mapping: dict[str, str]) -> tuple[duckdb.DuckDBPyRelation, list[str], fields.FieldMap, int]:
    """The file as a relation with the atlas's column names (device, ts, lat, lon, segment), and an upper
    bound of its rows (Parquet: the files' row counts, from their metadata; CSV: from the file size).

    A Parquet source also carries ``file_row`` (0-based row within its file) and ``file`` (the file's path
    for a folder of files, null for a single file), so the check numbers rows per file in parallel
    (``ingest/pings_numbered_files.sql``) and a problem in a folder feed names the file to open. Where the
    feed has a column of one of those names itself (DuckDB then cannot add it), or for a CSV, the source
    carries ``header_lines`` instead (1 for a CSV's header line, 0 for Parquet) and rows are numbered in
    one stream (``ingest/pings_numbered_stream.sql``)."""
    try:
        if fmt == "parquet":
            pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
            rel = con.read_parquet(pattern, hive_partitioning=path.is_dir())
            per_file = not set(_PARQUET_EXTRA) & set(rel.columns)
            if per_file:
                rel = con.read_parquet(pattern, hive_partitioning=path.is_dir(), file_row_number=True, filename=True)
            rows = int((rel.count("*").fetchone() or (0,))[0])
        else:
            per_file = False
            rel = con.read_csv(str(path), all_varchar=True, header=True)
            rows = path.stat().st_size // MIN_CSV_ROW_BYTES + 1
    except duckdb.Error as exc:
        raise _refuse(f"{name}: could not be read as {fmt.upper()}: {str(exc).splitlines()[0][:200]}") from None
    columns = [c for c in rel.columns if not per_file or c not in _PARQUET_EXTRA]
    fm = fields.resolve(columns, "pings", mapping, name=name)
    exprs = [duckdb.ColumnExpression(fm.columns[f]).alias(f) if f in fm.columns
             else duckdb.ConstantExpression(None).alias(f) for f in ("device", "ts", "lat", "lon", "segment")]
    if per_file:
        exprs += [duckdb.ColumnExpression("file_row_number").alias("file_row"),
                  (duckdb.ColumnExpression("filename") if path.is_dir()
                   else duckdb.ConstantExpression(None)).alias("file")]
    else:
        exprs.append(duckdb.ConstantExpression(1 if fmt == "csv" else 0).alias("header_lines"))
    return rel.select(*exprs), columns, fm, rows


def _typed(rel: duckdb.DuckDBPyRelation) -> dict[str, bool]:
    """``pings_checked.sql``'s ``typed_ts`` and ``typed_coords``: whether the (renamed) source's ts is a
    TIMESTAMP and its lat and lon are DOUBLE columns, read as they are instead of through their text."""
    types = {name: str(kind).upper() for name, kind in zip(rel.columns, rel.types, strict=True)}
    return {"typed_ts": types["ts"] == "TIMESTAMP",
            "typed_coords": types["lat"] == "DOUBLE" and types["lon"] == "DOUBLE"}


def define_time_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``atlas_parse_time(text)`` (and the macros it uses) on ``con`` as temp macros."""
    sql.execute(con, "ingest/macro_thai_months")
    sql.execute(con, "ingest/macro_be_year")
    sql.execute(con, "ingest/macro_to_ce")
    sql.execute(con, "ingest/macro_parse_time_slow")
    sql.execute(con, "ingest/macro_parse_time")


def _file_in(folder: Path, file: object) -> str | None:
    """A problem's file as the operator finds it in the folder they gave (``None`` for a single file)."""
    if not isinstance(file, str) or not file:
        return None
    try:
        return Path(file).relative_to(folder).as_posix()
    except ValueError:
        return Path(file).name


def check_pings(con: duckdb.DuckDBPyConnection, path: Path, name: str, *, mapping: dict[str, str],
                strict: bool, workdir: Path, default_segment: str = "domestic",
                ) -> tuple[dict[str, Any], list[Problem], list[str], str, str | None, Checked]:
    """Check every row into Parquet files under ``workdir`` (one folder per device bucket), registered on
    ``con`` as the view ``pings_checked``.

    Returns (counts, problems (first ``PROBLEM_LIMIT``), field notes, format, encoding, the checked rows).
    """
    from geo.build import pipeline

    fmt = pings_format(path, name)
    encoding = None
    sql.execute(con, "ingest/no_file_cache")
    checked = Checked(workdir / "checked", 64)
    with tempfile.TemporaryDirectory(prefix="atlas-pings-") as tmp:
        source = path
        if fmt == "csv":
            source, encoding = _utf8_copy(path, name, Path(tmp))
        rel, _columns, fm, rows = _source(con, source, fmt, name, mapping)
        notes = list(fm.notes)
        if "segment" not in fm.columns:
            notes.append(_("no segment column: every device is counted as {segment}; origin breakdowns are not "
                           "available").format(segment=repr(default_segment)))
        # as many buckets as device partitions for this many rows: each partition reads whole buckets
        checked = Checked(workdir / "checked", 65 - pipeline.partition_count(rows).bit_length())
        workdir.mkdir(parents=True, exist_ok=True)
        con.register("pings_source", rel)
        try:
            # rows numbered per file in parallel (Parquet), or in one stream (a CSV's lines)
            sql.execute(con, "ingest/pings_numbered_files" if "file_row" in rel.columns
                        else "ingest/pings_numbered_stream")
            define_time_macros(con)
            west, south, east, north = PROVINCE_BBOX
            try:
                sql.execute(con, "ingest/pings_checked", {
                    "salt": secrets.token_hex(16),
                    "default_segment": default_segment, "west": west, "east": east, "south": south,
                    "north": north, "latest": datetime.now() + timedelta(days=1), "strict": strict,
                    "shift": checked.shift, "folder": str(checked.folder), **_typed(rel),
                })
            except duckdb.Error as exc:
                raise _refuse(f"{name}: could not be read: {str(exc).splitlines()[0][:200]}") from None
        finally:
            sql.execute(con, "ingest/drop_pings_numbered")
            con.unregister("pings_source")
    if not checked.files():
        raise _refuse(f"{name} is empty: no data rows")
    con.register("pings_checked", con.read_parquet(checked.files(), hive_partitioning=True))
    counts = sql.fetch_one(con, "ingest/checked_counts") or {}
    if not counts.get("rows_read"):
        raise _refuse(f"{name} is empty: no data rows")
    problems = [Problem(int(r.row), r.field, reason_text(r.reason), r.action, _file_in(path, r.file)) for r in
                sql.fetch_df(con, "ingest/checked_problems", {"limit": PROBLEM_LIMIT}).itertuples()]
    return counts, problems, notes, fmt, encoding, checked


@dataclass(frozen=True)
class Checked:
    """Where a pings import's checked rows are: Parquet files in ``folder/bucket=B/``, bucket ``B`` holding
    the devices whose salted hash has ``B`` as its top bits (``device >> shift``)."""

    folder: Path
    shift: int

    def files(self, first: int = 0, last: int | None = None) -> list[str]:
        """The files of buckets ``first`` to ``last`` (all when ``last`` is None)."""
        buckets = sorted(int(p.name.split("=", 1)[1]) for p in self.folder.glob("bucket=*") if p.is_dir())
        return [str(f) for b in buckets if first <= b and (last is None or b <= last)
                for f in sorted((self.folder / f"bucket={b}").glob("*.parquet"))]

    def load_partition(self, con: duckdb.DuckDBPyConnection, part: int, partitions: int) -> None:
        """Insert the accepted rows of device partition ``part`` of ``partitions`` into ``pings`` (from its
        own buckets), then delete the bucket folders no later partition reads."""
        from geo.build import pipeline

        lo, hi = pipeline.partition_bounds(part, partitions)
        first, last = lo >> self.shift, hi >> self.shift
        files = self.files(first, last)
        if files:
            con.register("pings_checked", con.read_parquet(files, hive_partitioning=True))
            try:
                sql.execute(con, "ingest/insert_checked_pings_partition",
                            {"lo": lo, "hi": hi, "first_bucket": first, "last_bucket": last})
            finally:
                con.unregister("pings_checked")
        for bucket in range(first, (hi + 1) >> self.shift):  # buckets wholly at or below hi
            shutil.rmtree(self.folder / f"bucket={bucket}", ignore_errors=True)


def reasons(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, int]]:
    """Every problem counted by (action, kind)."""
    return [(r.action, kind_text(r.kind), int(r.rows)) for r in sql.fetch_df(con, "ingest/checked_reasons").itertuples()]


def import_pings(path: Path, name: str, *, db_path: Path, settings: Settings, mapping: dict[str, str],
                 strict: bool, dry_run: bool, attribution: str | None,
                 market_shares: pd.DataFrame | None = None) -> dict[str, Any]:
    """Check, then (unless ``dry_run``) load the pings into a staged copy, run pipeline and rollups, swap.

    ``market_shares`` (``geo.build.estimates.read_market_shares``): the operator's own shares, stored so the
    expansion weights come from them; without it any earlier feed's shares are forgotten.

    Returns a dict with counts, problems, reasons, notes, format, encoding, after (lines) and dataset.
    """
    from geo.build import estimates, pipeline, rollups

    started = time.perf_counter()
    out: dict[str, Any] = {"after": []}

    def check(con: duckdb.DuckDBPyConnection, workdir: Path) -> Checked:
        counts, problems, notes, fmt, encoding, checked = check_pings(con, path, name, mapping=mapping,
                                                                      strict=strict, workdir=workdir)
        out.update(counts=counts, problems=problems, notes=notes, format=fmt, encoding=encoding,
                   reasons=reasons(con))
        total = int(counts["rows_read"])
        if strict and (counts["rejected"] or counts["warnings"]):
            first = next((p for p in problems if p.action in ("rejected", "warning")), None)
            raise ImportRefusedError(_("{name}: refused with --strict: {rejected} rejected row(s); first: "
                                       "{first}").format(name=name, rejected=f"{counts['rejected']:,}", first=first),
                                     problems)
        if not counts["accepted"]:
            raise ImportRefusedError(_("{name}: no row could be imported ({rejected} rejected); first: "
                                       "{first}").format(name=name, rejected=f"{total:,}",
                                                         first=problems[0] if problems else "?"), problems)
        return checked

    # the checked rows go beside the database (their size is the feed's again): removed however the import ends
    beside = db_path.parent if db_path.parent.is_dir() else None
    if dry_run:
        con = connect(":memory:", "officials", settings=settings)
        try:
            with tempfile.TemporaryDirectory(prefix=".atlas-pings-checked-", dir=beside) as work:
                check(con, Path(work))
        finally:
            con.close()
        out["seconds"] = time.perf_counter() - started
        return out
    with load.staged(db_path, settings) as con, \
            tempfile.TemporaryDirectory(prefix=".atlas-pings-checked-", dir=beside) as work:
        checked = check(con, Path(work))
        con.unregister("pings_checked")
        sql.execute(con, "schema/create_pings")
        # one device partition at a time, each from its own buckets: stored clustered by partition
        partitions = pipeline.partition_count(int(out["counts"]["accepted"]))
        # out of core, DuckDB is held to what each step needs (geo/build/run.py build_flows)
        with pipeline.storing_pings(con, partitions, settings=settings):
            for part in range(partitions):
                checked.load_partition(con, part, partitions)
        shutil.rmtree(checked.folder, ignore_errors=True)
        c = out["counts"]
        # recorded before the rollups: the expansion weights label themselves from the flows row
        load.record_meta(con, "flows", sources=attribution or f"{name} ({out['format']}), imported pings",
                         params={"file": name, "format": out["format"], "encoding": out["encoding"],
                                 "rows_read": int(c["rows_read"]), "accepted": int(c["accepted"]),
                                 "repaired": int(c["repaired"]), "rejected": int(c["rejected"]),
                                 "warnings": int(c["warnings"]), "devices": int(c["devices"]),
                                 "first": c["first_ts"], "last": c["last_ts"], "attribution": attribution})
        n_shares = estimates.store_market_shares(
            con, market_shares if market_shares is not None else pd.DataFrame(columns=list(estimates.MARKET_SHARE_COLUMNS)))
        out["after"].append(f"expansion weights from the operator's market shares ({n_shares} rows)" if n_shares
                            else "expansion weights fitted to the published statistics (no market shares given)")
        t0 = time.perf_counter()
        with pipeline.out_of_core(con, int(out["counts"]["accepted"]), partitions, settings=settings):
            counts = pipeline.run_pipeline(con, partitions=partitions)
        rollups.run_rollups(con)
        out["after"].append(f"pipeline and rollups run on the imported pings in {time.perf_counter() - t0:.1f} s: "
                            + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
        out["dataset"] = "flows"
    out["seconds"] = time.perf_counter() - started
    return out
