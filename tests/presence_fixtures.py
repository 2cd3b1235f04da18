"""A database with simulated presence flows for the Overview/Visitor density page tests.

``flows_database`` returns the session database when it was built with flows (``SESSION_BUILD`` in
``tests/conftest.py``); otherwise it builds a small one with the real simulator and pipeline, once.
"""

from __future__ import annotations

from pathlib import Path

from geo import sql
from geo.build.run import BuildOptions, build_database
from geo.db import connect
from geo.settings import ROOT

_BUILT: dict[Path, Path] = {}

#: Size of the fallback build: seconds to build, enough for every chart and a previous period.
FALLBACK_BUILD = BuildOptions(visitors=1500, days=42, seed_dir=ROOT / "data" / "seed")


def has_flows(path: Path) -> bool:
    """True when the database at ``path`` has the presence rollups the pages read."""
    con = connect(path, read_only=True)
    try:
        return "presence_cell_profile" in set(sql.fetch_df(con, "app/table_names")["table_name"])
    finally:
        con.close()


def flows_database(session_db: Path, workdir: Path) -> Path:
    """The session database when it has flows, else a small simulated build in ``workdir`` (once per session)."""
    if session_db in _BUILT:
        return _BUILT[session_db]
    target = session_db
    if not has_flows(session_db):
        target = workdir / "atlas_presence.duckdb"
        build_database(target, FALLBACK_BUILD)
    _BUILT[session_db] = target
    return target
