"""Helpers shared by the import tests: a private copy of a database, its checksum, and reading it back."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb


def copy_database(source: Path, folder: Path) -> Path:
    """A private copy of ``source`` in ``folder`` (imports change the database they are given)."""
    target = folder / "atlas.duckdb"
    shutil.copy2(source, target)
    return target


def sha256_of(path: Path) -> str:
    """The file's SHA-256: equal before and after means the import left the database byte for byte as it was."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_rows(db: Path, query: str) -> list[tuple]:
    """Every row of ``query`` on ``db``, opened read-only and closed again."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def fetch_one(db: Path, query: str) -> tuple:
    """The first row of ``query`` on ``db``."""
    return fetch_rows(db, query)[0]
