"""Serve the app on localhost and drive Debian Chromium with Playwright, with every non-local request blocked."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from geo.settings import ROOT

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    # No internet for the page: every host but loopback resolves to nothing (tiles and CDNs fail).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def no_network() -> None:
    """The browser suite talks to its own server on loopback; the page itself is fenced by routing."""


@contextmanager
def serve_app(db: Path, log_name: str = "streamlit.log", extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``streamlit run serve.py`` (app.py behind the HTTP guards) on a free loopback port against ``db``;
    yields the base URL."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: `make test` installs it (apt-get install chromium)")
    port = _free_port()
    # Sign-in off, as `make run` serves on 127.0.0.1; tests/browser/test_signin.py turns it on.
    env = {**os.environ, "ATLAS_DB": str(db), "ATLAS_TILES": "OpenStreetMap", "ATLAS_AUTH": "off", **(extra_env or {})}
    log = ROOT / "test-artifacts" / log_name
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                        if resp.read().strip() == b"ok":
                            break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        pytest.fail(f"streamlit did not start; see {log}")
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def app_url(atlas_db: Path) -> Iterator[str]:
    """The app served against the session database."""
    with serve_app(atlas_db) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, app_url):
    """A fresh page; JS errors go to ``page.errors``, requests to other hosts to ``page.outside``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.outside = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))

    def on_request(request) -> None:
        url = request.url
        if "://" in url and url.split("/")[2].split(":")[0] not in ("127.0.0.1", "localhost"):
            pg.outside.append(url)

    pg.on("request", on_request)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield pg
    context.close()


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small atlas whose place, zone, category and source texts carry injection payloads (built once)."""
    from tests.hostile_fixtures import build_hostile_database

    return build_hostile_database(tmp_path_factory.mktemp("hostile") / "hostile.duckdb")


@pytest.fixture
def watched_page(browser):
    """A fresh page, no server attached, recording what a hostile text could cause.

    ``page.errors``: uncaught script errors; ``page.dialogs``: alert/confirm/prompt (each dismissed);
    ``page.requests``: every request and websocket address, any frame; ``page.opened``: pages it opened.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.requests = []  # type: ignore[attr-defined]
    pg.opened = []  # type: ignore[attr-defined]

    def on_dialog(dialog) -> None:
        pg.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("dialog", on_dialog)
    pg.on("request", lambda request: pg.requests.append(request.url))
    pg.on("websocket", lambda ws: pg.requests.append(ws.url))
    context.on("page", lambda other: pg.opened.append(other.url))
    yield pg
    context.close()
