"""Run the named SQL files under ``queries/`` with bound parameters (the only SQL entry point).

A query is named by its path below ``queries/`` without the suffix, e.g. ``"app/places_by_category"``.
Values are always bound (``$name`` placeholders, passed as a dict); the loader checks that the
parameters given are exactly those the file declares. The rare identifier that must vary (a table name
in ``geo info``) is written ``{{table}}`` in the file and filled only from ``ALLOWED_IDENTIFIERS``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from geo.errors import QueryNotFoundError, QueryParameterError
from geo.settings import ROOT
from geo.vocab import MEASURE_COLUMNS

QUERIES_DIR = ROOT / "queries"
#: The folders of ``queries/``, one per lifecycle: ``schema`` (tables, views, indexes, drops) and ``build``
#: (seed, simulator inputs, pipeline steps) build the database, ``rollups`` (run in name order by
#: ``geo.build.rollups``) derive the tables the pages read, ``app`` answers the pages, ``bench`` serves
#: ``bench/`` only, ``ingest`` is read by ``geo/ingest``, ``publish`` by ``geo/publish`` (the public file) and
#: by ``geo.db.require_published``.
GROUPS = ("schema", "build", "rollups", "app", "bench", "ingest", "publish")
_NAME = re.compile(rf"^(?:{'|'.join(GROUPS)})/[a-z0-9_]+$")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_IDENT = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_STRIP = re.compile(r"--[^\n]*|'(?:[^']|'')*'")

#: Tables the atlas knows. Identifier placeholders may only be filled from these lists.
TABLES = (
    "meta",
    "places",
    "zones",
    "cells",
    "cell_zones",
    "pings",
    "stays",
    "place_visits",
    "visits_hourly",
    "trips",
    "road_nodes",
    "road_edges",
)
#: The coded tables behind the pipeline's output views (``queries/schema/create_*.sql``).
DATA_TABLES = ("stays_data", "place_visits_data", "visits_hourly_data", "trips_data")
#: Where the pipeline reads pings: the whole table, or one device partition of it registered as a relation
#: (``geo.build.pipeline``: out-of-core runs, one partition after another).
PINGS_SOURCES = ("pings", "pings_partition")
ALLOWED_IDENTIFIERS: dict[str, tuple[str, ...]] = {"table": TABLES, "data_table": DATA_TABLES, "pings": PINGS_SOURCES,
                                                   "measure": MEASURE_COLUMNS, "city_measure": MEASURE_COLUMNS}
#: Placeholders that may be left out: filled with this value (the whole pings table).
DEFAULT_IDENTIFIERS: dict[str, str] = {"pings": "pings"}


def query_path(name: str) -> Path:
    """Return the file behind query ``name``; raise ``QueryNotFoundError`` for unknown names."""
    if not _NAME.match(name):
        msg = f"Query name {name!r} must look like 'app/some_query' with group one of {', '.join(GROUPS)}"
        raise QueryNotFoundError(msg)
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        msg = f"No query file queries/{name}.sql"
        raise QueryNotFoundError(msg)
    return path


@lru_cache(maxsize=512)
def load_query(name: str) -> str:
    """Read the SQL text of query ``name`` (cached for the life of the process)."""
    return query_path(name).read_text(encoding="utf-8")


def declared_params(sql: str) -> set[str]:
    """Named parameters (``$name``) a SQL text uses, ignoring comments and string literals."""
    return set(_PARAM.findall(_STRIP.sub(" ", sql)))


def render(name: str, idents: dict[str, str] | None = None) -> str:
    """SQL of ``name`` with ``{{ident}}`` placeholders filled from the allow-list."""
    sql = load_query(name)
    idents = idents or {}

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        allowed = ALLOWED_IDENTIFIERS.get(key)
        if allowed is None:
            msg = f"queries/{name}.sql uses unknown identifier placeholder {{{{{key}}}}}"
            raise QueryParameterError(msg)
        value = idents.get(key, DEFAULT_IDENTIFIERS.get(key))
        if value not in allowed:
            msg = f"Identifier {key}={value!r} is not allowed in queries/{name}.sql (allowed: {', '.join(allowed)})"
            raise QueryParameterError(msg)
        return f'"{value}"'

    return _IDENT.sub(fill, sql)


def _bind(name: str, sql: str, params: dict[str, Any] | None) -> dict[str, Any] | None:
    params = dict(params or {})
    wanted = declared_params(sql)
    missing = wanted - params.keys()
    extra = params.keys() - wanted
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(sorted(missing))}")
        if extra:
            parts.append(f"unexpected {', '.join(sorted(extra))}")
        msg = f"Parameters for queries/{name}.sql: {'; '.join(parts)}"
        raise QueryParameterError(msg)
    return params or None


def execute(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, Any] | None = None,
    *,
    idents: dict[str, str] | None = None,
) -> duckdb.DuckDBPyConnection:
    """Execute query ``name`` on ``con`` with bound ``params``; returns the connection (for fetch*)."""
    sql = render(name, idents)
    bound = _bind(name, sql, params)
    return con.execute(sql, bound) if bound is not None else con.execute(sql)


def fetch_df(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, Any] | None = None,
    *,
    idents: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Run query ``name`` and return its result as a DataFrame (columns by name)."""
    return execute(con, name, params, idents=idents).df()


def fetch_one(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, Any] | None = None,
    *,
    idents: dict[str, str] | None = None,
) -> dict[str, Any] | None:
    """Run query ``name`` and return its first row as a dict keyed by column name (or None)."""
    cur = execute(con, name, params, idents=idents)
    row = cur.fetchone()
    if row is None:
        return None
    cols = [d[0] for d in cur.description]
    return dict(zip(cols, row, strict=True))
