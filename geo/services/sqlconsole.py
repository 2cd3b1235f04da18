"""Run an official's read-only SQL query: one read statement, a time limit, a row limit, a table and its CSV.

Two fences, so either alone would hold:

1. the statement: ``check_statement`` parses the text with DuckDB's own parser and lets through exactly one
   SELECT-type statement (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SHOW, SUMMARIZE) or an EXPLAIN
   of one. COPY, ATTACH/DETACH, INSTALL/LOAD, SET/RESET/USE, PRAGMA, CALL, EXPORT and every write are
   refused with a message before anything runs;
2. the connection the caller passes: ``geo.db.connect_console`` (the atlas file attached read-only,
   external access off, configuration locked) or a public-mode connection (``geo.db.connect``). There a
   SELECT that reads a file (``read_csv('/etc/passwd')``) or anything that writes fails in DuckDB itself.

``run_readonly`` streams the result and keeps the first ``row_limit`` rows; a timer interrupts the query
when it runs past ``timeout_s`` seconds.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

import duckdb
import pandas as pd

from geo.errors import SqlRejectedError, SqlTimeoutError
from geo.i18n import _

#: Statement types a read-only query may be (DESCRIBE, SHOW, SUMMARIZE, FROM, VALUES parse as SELECT).
READ_TYPES = frozenset({duckdb.StatementType.SELECT})
#: What the refusal message lists as allowed.
ALLOWED_TEXT = "one SELECT (or WITH, FROM, VALUES, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN) statement"
#: The longest query text accepted (characters).
MAX_QUERY_CHARS = 100_000
#: First words a read query may start with (after comments and opening parentheses). DuckDB rewrites some
#: PRAGMAs into SELECTs (``pragma version``), so the statement type alone would let them through.
READ_KEYWORDS = frozenset({"select", "with", "from", "values", "table", "describe", "show", "summarize",
                           "pivot", "unpivot", "explain"})
_LEADING_NOISE = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/|\()+", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_]+")
_EXPLAIN = re.compile(r"^\s*explain\s+(?:analyze\s+)?(?P<inner>.*)$", re.IGNORECASE | re.DOTALL)
#: Text cells a spreadsheet would read as a formula (CSV injection); exported with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class SqlResult:
    """The first ``row_limit`` rows of a query, whether more were left out, and how long it took."""

    frame: pd.DataFrame
    truncated: bool
    row_limit: int
    seconds: float
    statement: str


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _statement_type(text: str) -> list[duckdb.StatementType]:
    try:
        return [s.type for s in duckdb.extract_statements(text)]
    except duckdb.Error as exc:
        msg = _("The query does not parse: {error}").format(error=_first_line(exc))
        raise SqlRejectedError(msg) from None


def _first_keyword(text: str) -> str:
    """The first word of ``text`` after whitespace, comments and opening parentheses, lower-cased."""
    rest = _LEADING_NOISE.sub("", text, count=1)
    word = _WORD.match(rest)
    return word.group(0).lower() if word else ""


def check_statement(query: str) -> str:
    """The kind of read ``query`` is ("SELECT" or "EXPLAIN"); ``SqlRejectedError`` for anything else."""
    if len(query) > MAX_QUERY_CHARS:
        msg = _("The query is longer than {n} characters.").format(n=f"{MAX_QUERY_CHARS:,}")
        raise SqlRejectedError(msg)
    types = _statement_type(query)
    if not types:
        msg = _("Write a query: {allowed}.").format(allowed=ALLOWED_TEXT)
        raise SqlRejectedError(msg)
    if len(types) > 1:
        msg = _("One statement at a time: the text holds {n}. Only {allowed} runs here.").format(
            n=len(types), allowed=ALLOWED_TEXT)
        raise SqlRejectedError(msg)
    kind = types[0]
    first = _first_keyword(query)
    if first not in READ_KEYWORDS:
        shown = first.upper() or kind.name
        msg = _("Only reading is allowed here: {kind} statements are refused. Run {allowed}; COPY, ATTACH, "
                "INSTALL/LOAD, SET, PRAGMA, CALL and writes never run.").format(kind=shown, allowed=ALLOWED_TEXT)
        raise SqlRejectedError(msg)
    if kind == duckdb.StatementType.EXPLAIN:
        inner = _EXPLAIN.match(query)
        inner_types = _statement_type(inner.group("inner")) if inner else []
        if (len(inner_types) != 1 or inner_types[0] not in READ_TYPES
                or _first_keyword(inner.group("inner")) not in READ_KEYWORDS - {"explain"}):
            msg = _("EXPLAIN is allowed only in front of a SELECT statement.")
            raise SqlRejectedError(msg)
        return "EXPLAIN"
    if kind not in READ_TYPES:
        msg = _("Only reading is allowed here: {kind} statements are refused. Run {allowed}; COPY, ATTACH, "
                "INSTALL/LOAD, SET, PRAGMA, CALL and writes never run.").format(kind=kind.name, allowed=ALLOWED_TEXT)
        raise SqlRejectedError(msg)
    return "SELECT"


def _unique_columns(names: list[str]) -> list[str]:
    """Column names made unique (``a, a`` → ``a, a_2``): a table needs distinct headers."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name, 0) + 1
        seen[name] = n
        out.append(name if n == 1 else f"{name}_{n}")
    return out


def _readable(frame: pd.DataFrame, types: list[str]) -> pd.DataFrame:
    """Geometry as WKT text and other binary values as hex, so a table and a CSV can show them."""
    import shapely

    for column, kind in zip(frame.columns, types, strict=True):
        if kind == "GEOMETRY":
            frame[column] = [None if v is None else shapely.from_wkb(bytes(v)).wkt for v in frame[column]]
        elif frame[column].map(lambda v: isinstance(v, bytes | bytearray | memoryview)).any():
            frame[column] = [bytes(v).hex() if isinstance(v, bytes | bytearray | memoryview) else v
                             for v in frame[column]]
    return frame


def run_readonly(
    con: duckdb.DuckDBPyConnection, query: str, *, row_limit: int, timeout_s: float
) -> SqlResult:
    """Run ``query`` on ``con`` (a cursor of its own: it is interrupted on timeout) and keep ``row_limit`` rows.

    Raises ``SqlRejectedError`` for a refused statement or a failing query, ``SqlTimeoutError`` when it ran
    past ``timeout_s`` seconds.
    """
    kind = check_statement(query)
    if row_limit < 1:
        msg = f"row_limit must be at least 1, got {row_limit}"
        raise SqlRejectedError(msg)
    timer = threading.Timer(timeout_s, con.interrupt)
    timer.daemon = True
    started = time.perf_counter()
    timer.start()
    try:
        con.execute(query)
        description = con.description or []
        rows = con.fetchmany(row_limit + 1)
    except duckdb.InterruptException:
        msg = _("The query ran longer than {seconds} s and was stopped. Narrow it (a WHERE clause, fewer joins, an "
                "aggregate) and run it again.").format(seconds=f"{timeout_s:g}")
        raise SqlTimeoutError(msg) from None
    except duckdb.PermissionException as exc:
        msg = _("The query tried to reach a file, an extension or the network, which read-only SQL never does "
                "({error}).").format(error=_first_line(exc))
        raise SqlRejectedError(msg) from None
    except duckdb.Error as exc:
        msg = _("The query failed: {error}").format(error=_first_line(exc))
        raise SqlRejectedError(msg) from None
    finally:
        timer.cancel()
    seconds = time.perf_counter() - started
    truncated = len(rows) > row_limit
    names = _unique_columns([str(d[0]) for d in description])
    frame = pd.DataFrame.from_records(rows[:row_limit], columns=names) if names else pd.DataFrame()
    frame = _readable(frame, [str(d[1]) for d in description])
    return SqlResult(frame=frame, truncated=truncated, row_limit=row_limit, seconds=seconds, statement=kind)


def _defused(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV in UTF-8 with a byte-order mark (Excel on Thai Windows reads Thai correctly).

    Text cells that a spreadsheet would run as a formula (starting with ``= + - @``, tab or carriage
    return) get a leading apostrophe; numbers are written as they are.
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_defused)
    return safe.to_csv(index=False).encode("utf-8-sig")
