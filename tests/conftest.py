"""Shared fixtures: isolated settings, no network, and a small atlas database built once per session."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import pytest

from geo.build.run import BuildOptions, build_database
from geo.settings import ROOT

#: Size of the session database used by page and browser tests: real seed places and zones, a few
#: weeks of simulated flows (seconds to build).
SESSION_BUILD = BuildOptions(visitors=1500, days=42)


class NetworkBlockedError(OSError):
    """Raised by the test socket guard when code tries to reach a non-loopback address."""


def _is_loopback(address: object) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(str(host)).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def isolated_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from default settings, whatever the developer's environment says."""
    import os

    for key in list(os.environ):
        if key.startswith("ATLAS_"):
            monkeypatch.delenv(key, raising=False)
    # the CLI's language defaults to $LANG: tests of English output must not depend on the developer's locale
    monkeypatch.setenv("ATLAS_LANG", "en")


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """Compile every locale/*/LC_MESSAGES/*.po newer than its .mo once per session (Babel's API)."""
    from geo.i18n import compile_catalogues

    compile_catalogues()


@pytest.fixture(autouse=True)
def loopback_server_address() -> object:
    """Streamlit's ``server.address`` is 127.0.0.1, as ``make run`` sets it, so AppTest runs of app.py get the
    default sign-in of a loopback server (off); sign-in tests set ``ATLAS_AUTH`` or the address themselves."""
    from streamlit import config

    before = config.get_option("server.address")
    config.set_option("server.address", "127.0.0.1")
    yield
    config.set_option("server.address", before)


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any connection to a non-loopback address (offline-first: nothing may need the internet)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            msg = f"network access blocked in tests: {address!r}"
            raise NetworkBlockedError(msg)
        return real_connect(self, address)

    def guarded_ex(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            msg = f"network access blocked in tests: {address!r}"
            raise NetworkBlockedError(msg)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)


@pytest.fixture(scope="session")
def atlas_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built from the real seed files with a few weeks of simulated flows (built once)."""
    path = tmp_path_factory.mktemp("atlas") / "atlas.duckdb"
    build_database(path, BuildOptions(**{**SESSION_BUILD.__dict__, "seed_dir": ROOT / "data" / "seed"}))
    return path


@pytest.fixture
def atlas_env(atlas_db: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the app at the session database."""
    monkeypatch.setenv("ATLAS_DB", str(atlas_db))
    return atlas_db


#: The privacy floor the session's published file is published with (the default of ATLAS_PRIVACY_FLOOR).
PUBLIC_FLOOR = 10


@pytest.fixture(scope="session")
def public_db(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The session database published with the default floor (``python -m geo publish``), once per session."""
    from geo.publish.run import publish

    path = tmp_path_factory.mktemp("public") / "public.duckdb"
    publish(path, atlas_db, floor=PUBLIC_FLOOR)
    return path
