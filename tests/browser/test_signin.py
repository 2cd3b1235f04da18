"""A real browser on the officials' app with sign-in on: no page by any address without a session.

The server runs with ``ATLAS_AUTH=local`` and one account. Each page's address opened signed out shows the
sign-in form and nothing of the page (no navigation, no map, no figures, no data in the DOM); signing in on
that address opens that page. A server without sign-in refuses to start on a network address, and its HTTP
guard answers requests that did not come from this machine with 403.
"""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geo.settings import ROOT
from tests.browser.conftest import SCREENSHOTS, _free_port, serve_app
from tests.browser.helpers import leaflet_maps, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PASSWORD = "correct horse battery staple"
SIGNIN_TITLE = "Sign in · Tourism Atlas"

#: Every officials' page by address, with the heading it shows once signed in. (The landing page's address is
#: "/": Streamlit gives the default page no address of its own, so /map is "Page not found", signed in or not.)
PAGES = {
    "": "Tourism Atlas · Chiang Mai",
    "overview": "Overview",
    "density": "Visitor density",
    "flows": "Flows and routes",
    "capacity": "Accommodation and capacity",
    "places": "Places",
    "data": "Data",
    "sql": "SQL",
}

#: Text any page would put in the DOM: none of it may be there before sign-in.
LEAKS = ("SIMULATED", "Wat Phra Singh", "Chiang Mai Marriott", "Filters", "Date range", "Places shown",
         "Visitors", "Tables", "Overview", "Visitor density", "Signed in as", "Local use")


@pytest.fixture(scope="module")
def signin_url(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The officials' app with local accounts (one: somchai), its own server process."""
    from geo.accounts import UserStore

    users = tmp_path_factory.mktemp("accounts") / "users.json"
    UserStore(users).add("somchai", PASSWORD)
    with serve_app(atlas_db, "streamlit-signin.log", {"ATLAS_AUTH": "local", "ATLAS_USERS_FILE": str(users)}) as url:
        yield url


def _sign_in(page, name: str = "somchai", password: str = PASSWORD) -> None:
    page.get_by_label("Account name").fill(name)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=SIGNIN_TITLE).wait_for(state="detached", timeout=30_000)
    wait_for_app(page)


def _dom(page) -> str:
    """The text and markup of the page and every frame."""
    parts = []
    for frame in page.frames:
        try:
            parts.append(frame.content())
        except Exception:  # a frame that went away while we looked
            continue
    return "\n".join(parts)


@pytest.mark.parametrize("path", list(PAGES))
def test_signed_out_every_address_shows_only_the_sign_in_form(page, signin_url, path) -> None:
    page.goto(f"{signin_url}/{path}")
    wait_for_app(page)
    page.get_by_role("heading", name=SIGNIN_TITLE).wait_for(timeout=30_000)
    assert urlsplit(page.url).path == f"/{path}"  # the address is kept for after sign-in
    assert page.get_by_role("dialog").count() == 0  # no "Page not found" over the form (serve.py)
    assert page.locator('[data-testid="stSidebarNav"]').count() == 0
    # the sidebar holds only the language choice, so the form reads in the official's language
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert sidebar.locator('[data-testid="stRadio"]').count() == 1
    assert sidebar.locator('[data-testid="stWidgetLabel"]').count() == 1
    assert page.locator("iframe").count() == 0 and not leaflet_maps(page, timeout=1)
    dom = _dom(page)
    leaked = [text for text in LEAKS if text in dom]
    assert leaked == [], f"{path}: {leaked}"
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.errors == []
    if path == "density":
        page.screenshot(path=str(SCREENSHOTS / "signin.png"), full_page=True)


@pytest.mark.parametrize("path", list(PAGES))
def test_signing_in_on_an_address_opens_that_page(page, signin_url, path) -> None:
    page.goto(f"{signin_url}/{path}")
    wait_for_app(page)
    _sign_in(page)
    page.get_by_role("heading", name=PAGES[path]).first.wait_for(timeout=60_000)
    assert urlsplit(page.url).path == f"/{path}"
    assert page.get_by_text("Signed in as somchai").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.errors == []


def test_wrong_password_then_sign_in_then_sign_out(page, signin_url) -> None:
    page.goto(f"{signin_url}/overview")
    wait_for_app(page)
    page.get_by_label("Account name").fill("somchai")
    page.get_by_role("textbox", name="Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Sign-in failed: unknown account name or wrong password.").wait_for(timeout=30_000)
    assert "SIMULATED" not in _dom(page)
    _sign_in(page)
    page.get_by_role("heading", name="Overview").wait_for(timeout=60_000)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name=SIGNIN_TITLE).wait_for(timeout=30_000)
    wait_for_app(page)
    assert "SIMULATED" not in _dom(page)
    page.goto(f"{signin_url}/data")
    wait_for_app(page)
    page.get_by_role("heading", name=SIGNIN_TITLE).wait_for(timeout=30_000)


def test_sql_page_runs_a_read_and_refuses_a_write(page, signin_url) -> None:
    page.goto(f"{signin_url}/sql")
    wait_for_app(page)
    _sign_in(page)
    page.get_by_role("heading", name="SQL").wait_for(timeout=60_000)
    box = page.get_by_label("Query")
    box.fill("copy places to '/tmp/atlas-browser-leak.csv'")
    page.get_by_role("button", name="Run").click()
    page.get_by_text("COPY statements are refused").wait_for(timeout=30_000)
    assert not Path("/tmp/atlas-browser-leak.csv").exists()
    box.fill("select name_en, category from places where category = 'temple' order by name_en limit 5")
    page.get_by_role("button", name="Run").click()
    page.get_by_text("5 rows in").wait_for(timeout=30_000)
    page.locator('[data-testid="stDownloadButton"]').first.wait_for(timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "sql.png"), full_page=True)


# -- a server without sign-in ------------------------------------------------------------------------------

def test_sign_in_off_refuses_to_start_on_a_network_address(atlas_db: Path, tmp_path: Path) -> None:
    env = {**os.environ, "ATLAS_DB": str(atlas_db), "ATLAS_AUTH": "off"}
    proc = subprocess.run(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless", "true",
         "--server.port", str(_free_port()), "--server.address", "0.0.0.0", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "refusing to serve the officials' atlas without sign-in on 0.0.0.0" in proc.stdout + proc.stderr


def _get(base: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    parts = urlsplit(base)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        con.request("GET", path, headers=headers or {})
        resp = con.getresponse()
        return resp.status, resp.read()
    finally:
        con.close()


def _status(base: str, path: str, headers: dict[str, str]) -> int:
    """The status line only (a 101 answer is a websocket: its body never ends)."""
    parts = urlsplit(base)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        con.request("GET", path, headers=headers)
        return con.getresponse().status
    finally:
        con.close()


def test_sign_in_off_answers_only_this_machine(app_url) -> None:
    """The default browser-suite server (127.0.0.1, ATLAS_AUTH=off): proxied or rebound requests get 403."""
    assert _get(app_url, "/")[0] == 200
    assert _get(app_url, "/_stcore/health")[1].strip() == b"ok"
    for headers in ({"X-Forwarded-For": "203.0.113.5"}, {"Forwarded": "for=203.0.113.5"},
                    {"X-Real-IP": "203.0.113.5"}, {"Host": "atlas.example.org"}):
        status, body = _get(app_url, "/density", headers)
        assert status == 403 and b"Local use only" in body, headers


def test_sign_in_off_refuses_a_proxied_websocket(app_url) -> None:
    """The page content travels over /_stcore/stream: a proxied upgrade is refused before it is accepted."""
    upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Origin": app_url}
    assert _status(app_url, "/_stcore/stream", upgrade) == 101
    assert _status(app_url, "/_stcore/stream", {**upgrade, "X-Forwarded-For": "203.0.113.5"}) == 403
