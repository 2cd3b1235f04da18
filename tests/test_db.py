"""The connection module: offline spatial load, read-only and public-mode restrictions."""

from __future__ import annotations

import socket

import duckdb
import pytest

from geo.db import connect
from geo.errors import ConfigError, DatabaseMissingError
from geo.settings import STORAGE_VERSION


def test_spatial_loads_with_network_blocked() -> None:
    # the autouse no_network fixture is active: prove it, then load spatial
    with pytest.raises(OSError, match="network access blocked"):
        socket.create_connection(("93.184.216.34", 80), timeout=1)
    con = connect(":memory:")
    wkt = con.execute("select st_astext(st_buffer(st_point(98.98, 18.79), 1))").fetchone()[0]
    assert wkt.startswith("POLYGON")
    assert con.execute("select current_setting('autoinstall_known_extensions')").fetchone()[0] is False


def test_officials_read_only_cannot_write(tmp_path) -> None:
    path = tmp_path / "a.duckdb"
    connect(path).execute("create table t (a int)").close()
    con = connect(path, "officials", read_only=True)
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("insert into t values (1)")


def test_new_files_use_the_pinned_storage_format(tmp_path) -> None:
    path = tmp_path / "a.duckdb"
    connect(path).execute("create table t (a int)").close()
    con = connect(path, "public")
    tags = con.execute("select tags from duckdb_databases() where database_name = 'a'").fetchone()[0]
    assert tags["storage_version"].startswith(STORAGE_VERSION)
    con.close()


def test_public_mode_is_read_only_offline_and_locked(tmp_path) -> None:
    path = tmp_path / "a.duckdb"
    connect(path).execute("create table t (a int)").close()
    (tmp_path / "secret.csv").write_text("a\n1\n")
    con = connect(path, "public")
    with pytest.raises(duckdb.Error, match="read-only"):
        con.execute("insert into t values (1)")
    with pytest.raises(duckdb.Error):
        con.execute("select * from read_csv($p)", {"p": str(tmp_path / "secret.csv")}).fetchall()
    with pytest.raises(duckdb.Error, match="locked"):
        con.execute("set enable_external_access = true")
    # spatial still works in public mode
    assert con.execute("select st_x(st_point(1, 2))").fetchone()[0] == 1


def test_public_mode_refuses_write_and_missing_file(tmp_path) -> None:
    with pytest.raises(ConfigError):
        connect(tmp_path / "x.duckdb", "public", read_only=False)
    with pytest.raises(DatabaseMissingError, match="make build"):
        connect(tmp_path / "missing.duckdb", "public")
    with pytest.raises(ConfigError, match="mode"):
        connect(":memory:", "admin")


def test_public_and_officials_connections_never_share_an_instance(tmp_path) -> None:
    path = tmp_path / "a.duckdb"
    connect(path).execute("create table t (a int)").close()
    public = connect(path, "public")
    with pytest.raises(ConfigError, match="separate processes"):
        connect(path, "officials", read_only=True)  # would get the public instance: no spatial, no files
    public.close()
    officials = connect(path, "officials", read_only=True)
    with pytest.raises(ConfigError, match="separate processes"):
        connect(path, "public")  # would lift nothing and lock the officials' instance
    assert officials.execute("select current_setting('enable_external_access')").fetchone()[0] is True
    officials.close()
    assert connect(path, "public").execute("select current_setting('enable_external_access')").fetchone()[0] is False


def _shown(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("select current_setting('memory_limit')").fetchone()[0]


def test_held_memory_limit_lowers_then_puts_the_configured_limit_back(tmp_path) -> None:
    from geo.db import held_memory_limit, memory_limit_bytes
    from geo.settings import Settings

    settings = Settings(db_path=tmp_path / "a.duckdb", duckdb_memory="3GB")
    con = connect(settings.db_path, "officials", settings=settings)
    configured = _shown(con)
    assert abs(memory_limit_bytes(con) - 3 * 10**9) < 0.1 * 2**30
    with held_memory_limit(con, 1_500_000_000, settings=settings) as changed:
        assert changed and abs(memory_limit_bytes(con) - 1_500_000_000) < 0.1 * 2**30
        with held_memory_limit(con, 1_500_000_000, settings=settings) as again:  # held already: left alone
            assert not again
        assert abs(memory_limit_bytes(con) - 1_500_000_000) < 0.1 * 2**30
    assert _shown(con) == configured
    with pytest.raises(RuntimeError), held_memory_limit(con, 10**9, settings=settings):
        raise RuntimeError("the work failed")
    assert _shown(con) == configured  # put back after a failure too
    with held_memory_limit(con, 10**12, settings=settings) as changed:  # never above the configured limit
        assert not changed and _shown(con) == configured
    con.close()


def test_held_memory_limit_leaves_a_locked_configuration_alone() -> None:
    from geo.db import held_memory_limit
    from geo.settings import Settings

    con = duckdb.connect()
    con.execute("set memory_limit = '3GB'")
    before = _shown(con)
    con.execute("set lock_configuration = true")  # as public mode opens its file
    with held_memory_limit(con, 10**9, settings=Settings(duckdb_memory="4GB")) as changed:
        assert not changed and _shown(con) == before
    assert _shown(con) == before
