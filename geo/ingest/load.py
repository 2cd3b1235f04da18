"""Write checked rows into the atlas database so that a failure changes nothing.

The import works on a copy of the database file next to it (same folder, so the final rename is atomic on
one file system): load, refresh what depends on the layer, record provenance, checkpoint, close, and only
then ``os.replace`` the copy over the original. Any error before the rename deletes the copy, so the
original file is byte-identical to what it was (the tests compare checksums). A running app keeps reading
the old file until its connection cache sees the new modification time.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from geo import __version__, sql
from geo.build import seed
from geo.db import connect
from geo.errors import DatabaseMissingError, ImportRefusedError
from geo.i18n import _
from geo.ingest.model import Problem
from geo.settings import Settings


def _cleanup(tmp: Path) -> None:
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)


@contextmanager
def staged(db_path: Path, settings: Settings | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-write connection to a copy of ``db_path``; the copy replaces the original on a clean exit.

    The original's write-ahead log, if any, is copied too (committed data may still be in it).
    """
    db_path = Path(db_path)
    if not db_path.is_file():
        msg = _("No atlas database at {path}: build one first (`make build` or `python -m geo build`), then "
                "import into it").format(path=db_path)
        raise DatabaseMissingError(msg)
    tmp = db_path.with_name(f".{db_path.name}.import-{os.getpid()}")
    _cleanup(tmp)
    try:
        shutil.copy2(db_path, tmp)
        wal = db_path.with_name(db_path.name + ".wal")
        if wal.exists():
            shutil.copy2(wal, tmp.with_name(tmp.name + ".wal"))
        con = connect(tmp, "officials", settings=settings)
        try:
            yield con
            con.execute("checkpoint")
        finally:
            con.close()
        os.replace(tmp, db_path)
    except BaseException:
        _cleanup(tmp)
        raise


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether ``name`` is a table in the open database."""
    return bool(sql.fetch_one(con, "ingest/table_exists", {"name": name})["present"])


def load_places(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, *, replace: bool,
                resolution: int) -> dict[str, int]:
    """Insert checked places; ``replace`` first removes every place of the layers the file brings.

    Appending a place whose id is already loaded is refused (the file's row is named).
    """
    layers = sorted(set(frame["layer"]))
    removed = 0
    if replace:
        before = len(sql.fetch_df(con, "ingest/existing_place_ids"))
        sql.execute(con, "ingest/delete_places_of_layers", {"layers": layers})
        removed = before - len(sql.fetch_df(con, "ingest/existing_place_ids"))
    existing = set(sql.fetch_df(con, "ingest/existing_place_ids")["place_id"])
    clash = frame[frame["place_id"].isin(existing)]
    if not clash.empty:
        problems = [Problem(int(r.row), "place_id", _("duplicate id: {id} is already loaded; use --replace to "
                                                      "replace the loaded places of its layer").format(id=r.place_id),
                            "refused") for r in clash.itertuples()]
        msg = _("{n} place id(s) are already in the database (first: {first}); import with --replace to replace "
                "the loaded places of the same layers").format(n=len(clash), first=clash.iloc[0]["place_id"])
        raise ImportRefusedError(msg, problems)
    seed.load_places(con, frame.drop(columns=["row"]), resolution=resolution)
    return {"inserted": len(frame), "removed": removed}


def load_zones(con: duckdb.DuckDBPyConnection, frame: Any, *, level: str, replace: bool) -> dict[str, int]:
    """Insert checked boundaries as zone level ``level``; ``replace`` first removes that level's zones."""
    removed = 0
    if replace:
        levels = sql.fetch_df(con, "ingest/zone_levels")
        removed = int(levels.loc[levels["level"] == level, "zones"].sum())
        sql.execute(con, "ingest/delete_zone_level", {"level": level})
    existing = sql.fetch_df(con, "ingest/existing_zone_ids")
    taken = dict(zip(existing["zone_id"], existing["level"], strict=True))
    clash = frame[frame["zone_id"].isin(taken)]
    if not clash.empty:
        problems = [Problem(int(r.row), "zone_id", _("duplicate id: {id} is already loaded (level {level}); use "
                                                     "--replace").format(id=r.zone_id, level=taken[r.zone_id]),
                            "refused") for r in clash.itertuples()]
        msg = _("{n} zone id(s) of level {level!r} are already loaded (first: {first}); import with --replace to "
                "replace the level").format(n=len(clash), level=level, first=clash.iloc[0]["zone_id"])
        raise ImportRefusedError(msg, problems)
    seed.load_zones(con, frame.drop(columns=["row"]))
    return {"inserted": len(frame), "removed": removed}


def record_meta(con: duckdb.DuckDBPyConnection, dataset: str, *, sources: str, params: dict[str, Any],
                simulated: bool = False) -> None:
    """Record an imported dataset's provenance in ``meta`` (real data unless ``simulated``)."""
    sql.execute(con, "build/insert_meta", {
        "dataset": dataset, "simulated": simulated, "seed": None, "sources": sources,
        "params": json.dumps(params, default=str, ensure_ascii=False),
        "built_at": datetime.now(UTC).replace(tzinfo=None, microsecond=0), "version": __version__,
    })
