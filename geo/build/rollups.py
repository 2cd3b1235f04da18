"""Build the small rollup tables the pages read, by running every ``queries/rollups/*.sql`` in name order.

Each rollup file is one ``create or replace table ... as`` (or ``create index``) statement over the pipeline tables;
files are numbered (``10_...``, ``20_...``) so later rollups may read earlier ones. A step two rollups
share is a temp view on the build connection (``12_stay_day_parts``), and one two app queries share is a
table macro stored with its table (``21_od_filtered``). Pages never scan pings or stays: they read these
tables, ``visits_hourly``/``trips`` summaries, places and zones.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from geo import sql


def rollup_names() -> list[str]:
    """Query names of every rollup file, in build order."""
    return [f"rollups/{p.stem}" for p in sorted(sql.QUERIES_DIR.glob("rollups/*.sql"))]


def run_rollups(con: duckdb.DuckDBPyConnection, progress: Callable[[str], None] | None = None) -> list[str]:
    """Execute every rollup file in order; returns the names executed."""
    names = rollup_names()
    for name in names:
        if progress:
            progress(name)
        sql.execute(con, name)
    return names
