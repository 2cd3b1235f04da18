"""Check that the tables a service reads exist, so a database built without flows gives an actionable message."""

from __future__ import annotations

import duckdb

from geo import sql
from geo.errors import DataNotBuiltError
from geo.i18n import _


def present_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the base tables in the open database."""
    return set(sql.fetch_df(con, "app/table_names")["table_name"])


def require_tables(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Raise ``DataNotBuiltError`` naming the missing tables when any of ``tables`` is absent."""
    present = present_tables(con)
    missing = [t for t in tables if t not in present]
    if missing and "visits_hourly" in present:  # flows are built: the database predates these rollups
        msg = _("This database was built by an older version of the atlas (missing: {missing}). "
                "Rebuild it with `make build` (or `python -m geo build`).").format(missing=", ".join(missing))
        raise DataNotBuiltError(msg)
    if missing:
        msg = _("This database has no visitor flows yet (missing: {missing}). Build them with `make build` "
                "(or `python -m geo build --visitors 3000 --days 60`).").format(missing=", ".join(missing))
        raise DataNotBuiltError(msg)


def require_macros(con: duckdb.DuckDBPyConnection, *macros: str) -> None:
    """Raise ``DataNotBuiltError`` when a macro the rollups store (e.g. ``od_filtered``) is missing.

    A database built before the macro existed has the tables but not the macro: rebuilding adds it.
    """
    present = set(sql.fetch_df(con, "app/macro_names")["macro_name"])
    missing = [m for m in macros if m not in present]
    if missing:
        msg = _("This database was built by an older version of the atlas (missing: {missing}). "
                "Rebuild it with `make build` (or `python -m geo build`).").format(missing=", ".join(missing))
        raise DataNotBuiltError(msg)
