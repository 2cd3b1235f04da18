"""Open DuckDB connections with the spatial extension loaded offline, in officials or public mode.

This module is the only place that calls ``duckdb.connect``. The spatial extension ships inside the
``duckdb-extension-spatial`` wheel (pinned to the same version as ``duckdb``); it is installed from
that wheel and loaded, so no code path reaches the network. Autoloading and autoinstalling of other
extensions are switched off on every connection.

Modes:

* ``officials`` – read-write for builds and imports (``read_only=False``), read-only for the app.
* ``public`` – always read-only, ``enable_external_access=false`` (no file or network reads beyond
  the database itself), thread and memory caps, and the configuration locked so no later
  statement can loosen any of it.

DuckDB keeps one database instance per file in a process and hands it to every later ``connect`` of
that file with the same configuration, and ``enable_external_access`` is a setting of the instance.
Public connections are therefore opened with a configuration of their own (``PUBLIC_TAG``): a public
and an officials connection to one file in one process can never share an instance (one would lose its
restrictions, the other its extension loading); the second open fails with ``ConfigError`` instead.

Public mode serves a *published* file (``python -m geo publish``, docs/privacy.md), never the officials'
database: ``require_published`` checks an open file against the allow-list ``PUBLISHED_TABLES`` and the
floor it was published with, and the app calls it on every public connection before the first query.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from geo import sql
from geo.errors import (
    ConfigError,
    DatabaseMissingError,
    DatabaseUnreadableError,
    NotPublishedError,
    SpatialExtensionError,
)
from geo.i18n import _
from geo.settings import MODES, STORAGE_VERSION, Settings, get_settings

#: Marks a public connection's configuration, so DuckDB never shares its instance with another mode's.
#: (``custom_user_agent`` is only sent on HTTP requests, which public connections cannot make.)
PUBLIC_TAG = {"custom_user_agent": "tourism-atlas-public"}

#: Every table a published file holds (``geo.publish``), and nothing else: public facts (``meta``, ``places``,
#: ``zones``, ``cells``), the calendar of days with data and the floored aggregates (``pub_*``).
PUBLISHED_TABLES: tuple[str, ...] = (
    "meta", "places", "zones", "cells",
    "pub_calendar", "pub_presence", "pub_zone_days", "pub_origins", "pub_corridors", "pub_place_visits",
)
#: What an officials' database holds and a published file never does: device-level tables and views (pings,
#: stays, place visits, the presence cube, trips and their coded tables and labels) and the unfloored rollups.
#: Public mode refuses any table outside ``PUBLISHED_TABLES``; these names make its message specific.
PRIVATE_TABLES: tuple[str, ...] = (
    "pings", "stays", "stays_data", "place_visits", "place_visits_data", "visits_hourly", "visits_hourly_data",
    "trips", "trips_data", "labels", "device_segments", "cell_zones",
    "presence_days", "presence_cell_profile", "presence_hourly", "presence_daily", "presence_zone_daily",
    "presence_place_daily", "presence_cell_hourly", "od_daily", "place_profile", "zone_nightly", "place_origins",
    "daily_coverage", "cell_coverage", "cell_nightly", "forecast_weekly", "forecast_backtest",
)


def load_spatial(con: duckdb.DuckDBPyConnection) -> None:
    """Install DuckDB spatial from its wheel and load it into ``con`` (no network)."""
    try:
        from duckdb_extensions import import_extension

        import_extension("spatial", con=con)
        con.execute("load spatial")
    except (ImportError, duckdb.Error) as exc:
        msg = (
            "DuckDB's spatial extension could not be loaded from the duckdb-extension-spatial wheel "
            f"({exc}). Reinstall with `make setup`; duckdb and duckdb-extension-spatial must carry "
            "the same version."
        )
        raise SpatialExtensionError(msg) from exc


def _first_line(exc: BaseException) -> str:
    """The first line of an exception's message (DuckDB appends hints on later lines)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def connect(
    path: str | Path | None = None,
    mode: str = "officials",
    *,
    read_only: bool | None = None,
    settings: Settings | None = None,
) -> duckdb.DuckDBPyConnection:
    """Open ``path`` (``":memory:"`` for an in-memory database) with spatial loaded.

    ``mode="officials"`` opens read-write unless ``read_only=True``; ``mode="public"`` is always
    read-only with external access disabled and the configuration locked. Raises
    ``DatabaseMissingError`` when a read-only open names a file that does not exist.
    """
    if mode not in MODES:
        msg = f"mode must be one of {', '.join(MODES)}, got {mode!r}"
        raise ConfigError(msg)
    settings = settings or get_settings()
    target = str(path if path is not None else settings.db_path)
    in_memory = target == ":memory:"
    if mode == "public":
        if read_only is False:
            msg = "public mode is read-only; it cannot open a database for writing"
            raise ConfigError(msg)
        read_only = True
    read_only = bool(read_only) and not in_memory
    if read_only and not Path(target).exists():
        msg = _("No atlas database at {path}. Build it with `make build` (or `python -m geo build --db {path}`).").format(
            path=target)
        raise DatabaseMissingError(msg)
    config = {
        "threads": settings.duckdb_threads,
        "memory_limit": settings.duckdb_memory,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    }
    if not read_only:
        config["storage_compatibility_version"] = STORAGE_VERSION  # applies to files created here
    if mode == "public":
        config.update(PUBLIC_TAG)
    try:
        con = duckdb.connect(target, read_only=read_only, config=config)
    except duckdb.ConnectionException as exc:
        if "different configuration" not in str(exc):
            raise
        msg = (
            f"{target} is already open in this process with other connection settings ({exc}). A public and an "
            "officials connection (or a read-only and a writable one) cannot share a process: close the other "
            "connection first, or run the public and the officials app as separate processes."
        )
        raise ConfigError(msg) from exc
    except duckdb.IOException as exc:
        msg = _("{path} is not a DuckDB database the atlas can read ({error}). Point ATLAS_DB at an atlas database, "
                "or build one with `make build` (or `python -m geo build --db {path}`).").format(
            path=target, error=_first_line(exc))
        raise DatabaseUnreadableError(msg) from exc
    try:
        if mode == "public" and con.execute("select current_setting('lock_configuration')").fetchone()[0]:
            # A second public connection to a file this process has open: DuckDB handed back the same
            # instance, already set up (spatial loaded, external access off, locked) by the first one.
            return con
        load_spatial(con)
        if mode == "public":
            con.execute("set enable_external_access = false")
            con.execute("set lock_configuration = true")
    except Exception:
        con.close()
        raise
    return con


#: The catalog name the atlas file is attached under in a console connection.
CONSOLE_CATALOG = "atlas"
_USE_ATLAS = "use " + CONSOLE_CATALOG


def connect_console(path: str | Path | None = None, *, settings: Settings | None = None) -> duckdb.DuckDBPyConnection:
    """A connection for officials' free SQL (the SQL page, ``geo sql``): the atlas file and nothing else, read-only.

    An in-memory DuckDB with spatial loaded attaches the file read-only as ``atlas`` (the default catalog),
    then switches external access off and locks its configuration: no file, extension or network access,
    no setting changes, no writes to the atlas. Its own instance, so it can sit beside the app's officials
    connection to the same file in one process (which keeps external access, for imports). Use
    ``console_cursor`` for each query: a new cursor starts in the in-memory catalog.
    """
    settings = settings or get_settings()
    target = Path(path if path is not None else settings.db_path)
    if not target.exists():
        msg = _("No atlas database at {path}. Build it with `make build` (or `python -m geo build --db {path}`).").format(
            path=target)
        raise DatabaseMissingError(msg)
    con = duckdb.connect(":memory:", config={
        "threads": settings.duckdb_threads,
        "memory_limit": settings.duckdb_memory,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
    })
    try:
        load_spatial(con)
        attach = f"attach {_sql_literal(str(target))} as {CONSOLE_CATALOG} (read_only)"
        try:
            con.execute(attach)
        except duckdb.IOException as exc:
            msg = _("{path} is not a DuckDB database the atlas can read ({error}). Point ATLAS_DB at an atlas "
                    "database.").format(path=target, error=_first_line(exc))
            raise DatabaseUnreadableError(msg) from exc
        con.execute(_USE_ATLAS)
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
    except Exception:
        con.close()
        raise
    return con


def console_cursor(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """A cursor of a ``connect_console`` connection, working in the attached atlas catalog."""
    cur = con.cursor()
    cur.execute(_USE_ATLAS)
    return cur


_UNITS = {"bytes": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
          "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}


def memory_limit_bytes(con: duckdb.DuckDBPyConnection) -> int | None:
    """DuckDB's memory limit in bytes, from the rounded figure it shows (within 0.1 of its unit); ``None``
    if it cannot be read."""
    shown = sql.fetch_one(con, "schema/memory_limit")["memory_limit"]
    match = re.fullmatch(r"\s*([0-9.]+)\s*([A-Za-z]+)\s*", shown or "")
    if not match or match.group(2) not in _UNITS:
        return None
    return int(float(match.group(1)) * _UNITS[match.group(2)])


@contextmanager
def held_memory_limit(con: duckdb.DuckDBPyConnection, limit: int, *,
                      settings: Settings | None = None) -> Iterator[bool]:
    """Hold DuckDB's memory limit to ``limit`` bytes (never above the configured ``ATLAS_DUCKDB_MEMORY``)
    while the block runs, then put the configured limit back; yields whether it changed anything.

    DuckDB keeps the blocks it has read or written cached up to its limit, so over a long out-of-core run
    its memory climbs to the limit whatever the work needs; held to what the work needs, the run's memory
    stops growing with the data. Left alone when the limit is already as low (a caller holds it) or the
    configuration is locked (public mode).
    """
    settings = settings or get_settings()
    limit = min(int(limit), settings.duckdb_memory_bytes)
    current = memory_limit_bytes(con)
    if current is not None and current <= limit * 1.05:
        yield False
        return
    try:
        sql.execute(con, "schema/set_memory_limit", {"memory_limit": f"{limit}B"})
    except duckdb.Error:  # a locked configuration
        changed = False
    else:
        changed = True
    try:
        yield changed
    finally:
        if changed:
            sql.execute(con, "schema/set_memory_limit", {"memory_limit": settings.duckdb_memory})


def _sql_literal(text: str) -> str:
    """``text`` as a SQL string literal (ATTACH takes no bound parameter for its path)."""
    return "'" + text.replace("'", "''") + "'"


def require_published(con: duckdb.DuckDBPyConnection, *, floor: int, path: str | Path = "") -> dict[str, Any]:
    """Check that ``con`` is a published file public mode may serve; return its publication record (params).

    Refused with ``NotPublishedError`` (the message says what to run): any table or view outside
    ``PUBLISHED_TABLES`` (an officials' database, or a file something was added to), a published table
    missing or a file without estimates (published by an older atlas), no publication record, or a privacy floor
    below ``floor``.
    """
    where = str(path) or "the database"
    found = sql.fetch_df(con, "publish/table_names")
    names = [f"{r['name']}" if r["schema_name"] == "main" else f"{r['schema_name']}.{r['name']}"
             for r in found.to_dict("records")]
    kinds = dict(zip(names, found["kind"], strict=True))
    extra = sorted(n for n in names if n not in PUBLISHED_TABLES or kinds[n] != "table")
    if extra:
        private = sorted((n for n in extra if n in PRIVATE_TABLES), key=PRIVATE_TABLES.index)
        listed = ", ".join((private or extra)[:6]) + (" …" if len(private or extra) > 6 else "")
        msg = (f"{where} is not a published file: it holds {'private tables' if private else 'tables'} public mode "
               f"never serves ({listed}). Point ATLAS_PUBLIC_DB at the output of `python -m geo publish` "
               "(`make run-public` publishes and serves it).")
        raise NotPublishedError(msg)
    missing = [t for t in PUBLISHED_TABLES if t not in names]
    record = sql.fetch_one(con, "publish/publication") if "meta" in names else None
    if missing or record is None:
        msg = (f"{where} is not a complete published file (missing: {', '.join(missing) or 'its publication record'}). "
               "Publish it again with `python -m geo publish` (or `make run-public`).")
        raise NotPublishedError(msg)
    params = json.loads(record["params"] or "{}")
    if "estimates" not in params:
        msg = (f"{where} was published by an older atlas, without estimated people. Publish it again with "
               "`python -m geo publish` (or `make run-public`).")
        raise NotPublishedError(msg)
    published_floor = int(params.get("floor") or 0)
    if published_floor < floor:
        msg = (f"{where} was published with a privacy floor of {published_floor} people; this server requires "
               f"{floor} (ATLAS_PRIVACY_FLOOR). Publish it again with `python -m geo publish --floor {floor}`.")
        raise NotPublishedError(msg)
    return params
