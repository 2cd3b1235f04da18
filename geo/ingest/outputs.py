"""Import the pipeline's four tables computed elsewhere (``python -m geo import DIR --layer pipeline-output``).

``python -m geo aggregate`` (DuckDB or Spark) writes ``DIR/<table>/month=YYYY-MM/*.parquet`` for stays,
place_visits, visits_hourly and trips, with the columns of the atlas's views. This module checks such a
folder (every table present, exactly the view's columns, values castable to the view's types, every zone,
place, segment and visitor type known) and loads it into a staged copy of the database
(``load.staged``): the four outputs replaced (``pipeline.load_outputs``), the rollups and road loads
refreshed, the stored pings emptied (the outputs no longer come from them, and a later places import must
not re-run the pipeline over them), provenance recorded as dataset ``flows``; then the copy is swapped in.
Any problem refuses the folder and leaves the database byte-identical.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from geo import sql
from geo.build import aggregate, pipeline, rollups
from geo.build import roads as stored_roads
from geo.db import connect
from geo.errors import FlowDataError, ImportRefusedError
from geo.i18n import _
from geo.ingest import load
from geo.ingest.model import Problem
from geo.settings import Settings

LAYER = "pipeline-output"


def _refuse(message: str) -> ImportRefusedError:
    return ImportRefusedError(message, [Problem(None, None, message, "refused")])


def _view_types(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """Column → DuckDB type of each output view (on a database whose outputs exist, even empty)."""
    return {t: dict(zip(con.table(t).columns, map(str, con.table(t).types), strict=True))
            for t in aggregate.OUTPUT_TABLES}


def read_outputs(path: Path, name: str, con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The four tables under ``path`` as frames with the views' columns and types; refuse anything else."""
    if not path.is_dir():
        raise _refuse(_("{name}: --layer pipeline-output reads a folder written by `python -m geo aggregate` "
                        "({tables} subfolders of Parquet files)").format(
            name=name, tables=", ".join(aggregate.OUTPUT_TABLES)))
    missing = [t for t in aggregate.OUTPUT_TABLES if not (path / t).is_dir()]
    if missing:
        raise _refuse(_("{name}: no {missing} folder(s); a pipeline output has all of {tables} (written by "
                        "`python -m geo aggregate`)").format(
            name=name, missing=", ".join(missing), tables=", ".join(aggregate.OUTPUT_TABLES)))
    reader = connect(":memory:", "officials")
    try:
        frames = {}
        for table, types in _view_types(con).items():
            folder = path / table
            if not any(folder.rglob("*.parquet")):
                frames[table] = pd.DataFrame({c: pd.Series(dtype=object) for c in types})
                continue
            try:
                rel = reader.read_parquet(aggregate.parquet_files(folder), hive_partitioning=True)
            except duckdb.Error as exc:
                raise _refuse(_("{name}/{table}: could not be read as Parquet: {error}").format(
                    name=name, table=table, error=str(exc).splitlines()[0][:200])) from None
            columns = [c for c in rel.columns if c != aggregate.PARTITION_COLUMN]
            lacking = [c for c in types if c not in columns]
            extra = [c for c in columns if c not in types]
            if lacking or extra:
                parts = [_("{name}/{table}: the columns must be those of the atlas's {table} view "
                           "({columns})").format(name=name, table=table, columns=", ".join(types))]
                if lacking:
                    parts.append(_("missing: {columns}").format(columns=", ".join(lacking)))
                if extra:
                    parts.append(_("unexpected: {columns}").format(columns=", ".join(extra)))
                raise _refuse("; ".join(parts))
            try:
                frames[table] = rel.select(*[duckdb.ColumnExpression(c).cast(duckdb.sqltype(kind)).alias(c)
                                             for c, kind in types.items()]).df()
            except duckdb.Error as exc:
                raise _refuse(_("{name}/{table}: a value does not fit the {table} view's types: {error}").format(
                    name=name, table=table, error=str(exc).splitlines()[0][:200])) from None
        return frames
    finally:
        reader.close()


def import_pipeline_output(path: Path, name: str, *, db_path: Path, settings: Settings, dry_run: bool,
                           attribution: str | None) -> dict[str, Any]:
    """Check the folder and (unless ``dry_run``) load it into a staged copy, refresh rollups, swap.

    Returns counts (rows per table), after (lines) and dataset.
    """
    started = time.perf_counter()
    out: dict[str, Any] = {"after": [], "counts": {}}

    def load_into(con: duckdb.DuckDBPyConnection) -> None:
        pipeline.load_outputs(con, {})  # the views (and their types) even in an atlas built without flows
        frames = read_outputs(path, name, con)
        try:
            out["counts"] = pipeline.load_outputs(con, frames)
        except FlowDataError as exc:
            raise _refuse(_("{name}: {error}").format(name=name, error=exc)) from None
        except duckdb.ConstraintException as exc:
            raise _refuse(_("{name}: a required value is missing: {error}").format(
                name=name, error=str(exc).splitlines()[0][:200])) from None

    if dry_run:
        con = connect(":memory:", "officials", settings=settings)
        try:
            aggregate.load_reference(con, aggregate.read_reference(db_path, settings))
            load_into(con)
        finally:
            con.close()
        out["seconds"] = time.perf_counter() - started
        return out
    with load.staged(db_path, settings) as con:
        load_into(con)
        t0 = time.perf_counter()
        rollups.run_rollups(con)
        out["after"].append(_("rollups refreshed in {seconds:.1f} s").format(seconds=time.perf_counter() - t0))
        if load.table_exists(con, "pings"):
            sql.execute(con, "schema/create_pings")  # emptied: the outputs no longer come from these pings
            out["after"].append(_("stored pings cleared (the imported tables replace what they gave)"))
        line = stored_roads.loads_line(stored_roads.refresh_road_loads(con))
        if line:
            out["after"].append(line)
        provenance = _provenance(path)
        simulated = bool(provenance and provenance.get("simulated"))
        sources = attribution or f"{name} (pipeline output, Parquet)"
        if simulated:  # geo aggregate --simulated: the tables stay labelled simulated in every view
            sources = f"SIMULATED pings (geo/simulate.py) through geo aggregate: {sources}"
        load.record_meta(con, "flows", sources=sources, simulated=simulated,
                         params={"file": name, "format": "parquet", "layer": LAYER, **out["counts"],
                                 "aggregate": provenance, "attribution": attribution})
        if simulated:
            out["after"].append(_("recorded as SIMULATED flows (the run was made with --simulated)"))
        out["dataset"] = "flows"
    out["seconds"] = time.perf_counter() - started
    return out


def _provenance(path: Path) -> dict[str, Any] | None:
    """What ``geo aggregate`` recorded about the run (``aggregate.PROVENANCE_FILE``), if present."""
    file = path / aggregate.PROVENANCE_FILE
    try:
        return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else None
    except (OSError, ValueError):
        return None
