"""Import an operator's raw pings (device, time, lat, lon, optional segment) and run the pipeline on them.

Unlike places and boundaries, a pings file can hold a billion rows, so nothing here loads it into Python:
DuckDB reads the CSV or (partitioned) Parquet as a stream, one SQL pass (``queries/ingest/pings_checked.sql``)
checks every row and keeps its verdict, and only the problem rows are fetched (the first
``PROBLEM_LIMIT`` for the report; every problem is counted). Accepted rows replace the ``pings`` table of a
staged copy of the database, the pipeline and rollups run there, and the copy is swapped in (``load.staged``).
The imported flows replace the simulated ones: ``meta`` records dataset ``flows`` as real, with its source.
"""

from __future__ import annotations

import codecs
import secrets
import tempfile
import time
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


def _source(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, name: str,
            mapping: dict[str, str]) -> tuple[duckdb.DuckDBPyRelation, list[str], fields.FieldMap]:
    """The file as a relation with the atlas's column names (device, ts, lat, lon, segment)."""
    try:
        if fmt == "parquet":
            pattern = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
            rel = con.read_parquet(pattern, hive_partitioning=path.is_dir())
        else:
            rel = con.read_csv(str(path), all_varchar=True, header=True)
    except duckdb.Error as exc:
        raise _refuse(f"{name}: could not be read as {fmt.upper()}: {str(exc).splitlines()[0][:200]}") from None
    columns = list(rel.columns)
    fm = fields.resolve(columns, "pings", mapping, name=name)
    exprs = [duckdb.ColumnExpression(fm.columns[f]).alias(f) if f in fm.columns
             else duckdb.ConstantExpression(None).alias(f) for f in ("device", "ts", "lat", "lon", "segment")]
    return rel.select(*exprs), columns, fm


def define_time_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create ``atlas_parse_time(text)`` (and the macros it uses) on ``con`` as temp macros."""
    sql.execute(con, "ingest/macro_thai_months")
    sql.execute(con, "ingest/macro_be_year")
    sql.execute(con, "ingest/macro_to_ce")
    sql.execute(con, "ingest/macro_parse_time_slow")
    sql.execute(con, "ingest/macro_parse_time")


def check_pings(con: duckdb.DuckDBPyConnection, path: Path, name: str, *, mapping: dict[str, str],
                strict: bool, default_segment: str = "domestic") -> tuple[dict[str, Any], list[Problem], list[str],
                                                                        str, str | None]:
    """Check every row into the temp table ``pings_checked`` on ``con``.

    Returns (counts, problems (first ``PROBLEM_LIMIT``), field notes, format, encoding).
    """
    fmt = pings_format(path, name)
    encoding = None
    with tempfile.TemporaryDirectory(prefix="atlas-pings-") as tmp:
        source = path
        if fmt == "csv":
            source, encoding = _utf8_copy(path, name, Path(tmp))
        rel, _columns, fm = _source(con, source, fmt, name, mapping)
        notes = list(fm.notes)
        if "segment" not in fm.columns:
            notes.append(_("no segment column: every device is counted as {segment}; origin breakdowns are not "
                           "available").format(segment=repr(default_segment)))
        con.register("pings_source", rel)
        try:
            define_time_macros(con)
            west, south, east, north = PROVINCE_BBOX
            try:
                sql.execute(con, "ingest/pings_checked", {
                    "first_row": 2 if fmt == "csv" else 1, "salt": secrets.token_hex(16),
                    "default_segment": default_segment, "west": west, "east": east, "south": south,
                    "north": north, "latest": datetime.now() + timedelta(days=1), "strict": strict,
                })
            except duckdb.Error as exc:
                raise _refuse(f"{name}: could not be read: {str(exc).splitlines()[0][:200]}") from None
        finally:
            con.unregister("pings_source")
    counts = sql.fetch_one(con, "ingest/checked_counts") or {}
    if not counts.get("rows_read"):
        raise _refuse(f"{name} is empty: no data rows")
    problems = [Problem(int(r.row), r.field, reason_text(r.reason), r.action) for r in
                sql.fetch_df(con, "ingest/checked_problems", {"limit": PROBLEM_LIMIT}).itertuples()]
    return counts, problems, notes, fmt, encoding


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

    def check(con: duckdb.DuckDBPyConnection) -> None:
        counts, problems, notes, fmt, encoding = check_pings(con, path, name, mapping=mapping, strict=strict)
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

    if dry_run:
        con = connect(":memory:", "officials", settings=settings)
        try:
            check(con)
        finally:
            con.close()
        out["seconds"] = time.perf_counter() - started
        return out
    with load.staged(db_path, settings) as con:
        check(con)
        sql.execute(con, "schema/create_pings")
        # one device partition at a time (out of core past PARTITION_PINGS pings): stored clustered by partition
        partitions = pipeline.partition_count(int(out["counts"]["accepted"]))
        if partitions == 1:
            sql.execute(con, "ingest/insert_checked_pings")
        for part in range(partitions if partitions > 1 else 0):
            lo, hi = pipeline.partition_bounds(part, partitions)
            sql.execute(con, "ingest/insert_checked_pings_partition", {"lo": lo, "hi": hi})
        sql.execute(con, "ingest/drop_pings_checked")
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
        counts = pipeline.run_pipeline(con, partitions=partitions)
        rollups.run_rollups(con)
        out["after"].append(f"pipeline and rollups run on the imported pings in {time.perf_counter() - t0:.1f} s: "
                            + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
        out["dataset"] = "flows"
    out["seconds"] = time.perf_counter() - started
    return out
