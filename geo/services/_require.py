"""Check that the tables a service reads exist, so a database built without flows gives an actionable message."""

from __future__ import annotations

import duckdb

from geo import sql
from geo.errors import DataNotBuiltError


def present_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the base tables in the open database."""
    return set(sql.fetch_df(con, "app/table_names")["table_name"])


def require_tables(con: duckdb.DuckDBPyConnection, *tables: str) -> None:
    """Raise ``DataNotBuiltError`` naming the missing tables when any of ``tables`` is absent."""
    missing = [t for t in tables if t not in present_tables(con)]
    if missing:
        msg = (
            f"This database has no visitor flows yet (missing: {', '.join(missing)}). "
            "Build them with `make build` (or `python -m geo build --visitors 3000 --days 60`)."
        )
        raise DataNotBuiltError(msg)
