"""Officials' sign-in (ui/auth.py, ui/server.py LocalOnlyGuard): the mode chosen, and no page without a session."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from argon2 import PasswordHasher
from streamlit.testing.v1 import AppTest

from geo.accounts import UserStore
from geo.errors import ConfigError
from geo.settings import ROOT, Settings
from tests.aio import run
from ui import auth
from ui.server import LOCAL_ONLY_HTML, LocalOnlyGuard, host_is_loopback, is_local_request, is_loopback

APP = str(ROOT / "app.py")
PASSWORD = "correct horse battery"

#: Every officials' page: its script and the title it shows once signed in.
PAGES = {
    "pages/views/atlas_map.py": "Tourism Atlas · Chiang Mai",
    "pages/views/overview.py": "Overview",
    "pages/views/density.py": "Visitor density",
    "pages/views/flows.py": "Flows and routes",
    "pages/views/capacity.py": "Accommodation and capacity",
    "pages/views/places.py": "Places",
    "pages/views/data.py": "Data",
    "pages/views/sql.py": "SQL",
}


# -- choosing the mode --------------------------------------------------------------------------------

@pytest.mark.parametrize(("auth_mode", "bind", "oidc", "expected"), [
    ("auto", "127.0.0.1", False, "off"),
    ("auto", "localhost", False, "off"),
    ("auto", "::1", False, "off"),
    ("auto", "0.0.0.0", False, "local"),
    ("auto", "192.0.2.7", False, "local"),
    ("auto", "unix:///run/atlas.sock", False, "local"),
    ("auto", "127.0.0.1", True, "oidc"),
    ("auto", "0.0.0.0", True, "oidc"),
    ("local", "127.0.0.1", True, "local"),
    ("local", "0.0.0.0", False, "local"),
    ("oidc", "0.0.0.0", True, "oidc"),
    ("off", "127.0.0.1", True, "off"),
])
def test_plan_resolves_the_mode(auth_mode: str, bind: str, oidc: bool, expected: str) -> None:
    assert auth.plan_auth(Settings(auth=auth_mode), bind, oidc).mode == expected


@pytest.mark.parametrize("bind", ["0.0.0.0", "::", "192.0.2.7", "atlas.example.org", "unix:///run/atlas.sock"])
def test_officials_without_sign_in_off_loopback_is_refused(bind: str) -> None:
    with pytest.raises(ConfigError, match="refusing to serve the officials' atlas without sign-in"):
        auth.plan_auth(Settings(auth="off"), bind, False)


def test_oidc_without_a_provider_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"\[auth\] section"):
        auth.plan_auth(Settings(auth="oidc"), "0.0.0.0", False)


def test_public_mode_has_no_sign_in_whatever_the_address() -> None:
    for mode in ("auto", "off", "local"):
        assert auth.plan_auth(Settings(mode="public", auth=mode), "0.0.0.0", False).mode == "public"


def test_unknown_auth_setting_is_a_config_error(monkeypatch) -> None:
    from geo.settings import get_settings

    monkeypatch.setenv("ATLAS_AUTH", "maybe")
    with pytest.raises(ConfigError, match="ATLAS_AUTH must be one of"):
        get_settings()


def test_startup_refuses_off_on_every_interface(monkeypatch, capsys) -> None:
    from streamlit import config

    monkeypatch.setenv("ATLAS_AUTH", "off")
    config.set_option("server.address", "0.0.0.0")
    with pytest.raises(SystemExit) as stop:
        auth.startup_plan()
    assert stop.value.code == 2
    config.set_option("server.address", None)
    assert auth.bind_address() == "0.0.0.0"  # unset: Streamlit binds every interface
    with pytest.raises(SystemExit):
        auth.startup_plan()
    config.set_option("server.address", "127.0.0.1")
    assert auth.startup_plan().mode == "off"


def test_oidc_helpers() -> None:
    assert auth.oidc_provider({"client_id": "x", "redirect_uri": "y"}) is None
    assert auth.oidc_provider({"cookie_secret": "s", "keycloak": {"client_id": "x"}}) == "keycloak"
    assert auth.oidc_allowed("a@b.org", ())
    assert auth.oidc_allowed("Somchai@ChiangMai.go.th", ("@chiangmai.go.th",))
    assert auth.oidc_allowed("x@y.org", ("x@y.org",))
    assert not auth.oidc_allowed("x@evil.org", ("@chiangmai.go.th",))
    assert not auth.oidc_allowed("x@chiangmai.go.th.evil.org", ("@chiangmai.go.th",))
    assert not auth.oidc_allowed(None, ("@chiangmai.go.th",))


# -- the HTTP guard for a server without sign-in --------------------------------------------------------

@pytest.mark.parametrize(("host", "loop"), [
    ("127.0.0.1", True), ("127.8.9.1", True), ("::1", True), ("[::1]", True), ("localhost", True),
    ("::ffff:127.0.0.1", True), ("0.0.0.0", False), ("::", False), ("10.0.0.1", False), ("", False),
    ("localhost.evil.org", False), ("127.0.0.1.nip.io", False), (None, False),
])
def test_is_loopback(host, loop: bool) -> None:
    assert is_loopback(host) is loop


def test_host_header() -> None:
    assert host_is_loopback("127.0.0.1:8501") and host_is_loopback("localhost") and host_is_loopback("[::1]:8501")
    assert not host_is_loopback("atlas.example.org") and not host_is_loopback("evil.org:8501")


def _scope(kind: str = "http", server=("127.0.0.1", 8501), client=("127.0.0.1", 50000), headers=()) -> dict:
    return {"type": kind, "method": "GET", "path": "/", "server": server, "client": client,
            "headers": [(b"host", b"127.0.0.1:8501"), *headers]}


def test_local_request_needs_loopback_socket_peer_host_and_no_proxy() -> None:
    assert is_local_request(_scope())
    assert not is_local_request(_scope(server=("192.0.2.7", 8501)))
    assert not is_local_request(_scope(client=("192.0.2.9", 50000)))
    assert not is_local_request(_scope(headers=[(b"X-Forwarded-For", b"203.0.113.5")]))
    assert not is_local_request(_scope(headers=[(b"forwarded", b"for=203.0.113.5")]))
    assert not is_local_request({**_scope(), "headers": [(b"host", b"atlas.example.org")]})  # DNS rebinding
    assert not is_local_request(_scope(server=("/run/atlas.sock", None)))


def _through_guard(scope: dict, enabled: bool = True) -> tuple[list[dict], bool]:
    sent: list[dict] = []
    reached = False

    async def inner(scope, receive, send) -> None:
        nonlocal reached
        reached = True

    async def send(message) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request"}

    run(LocalOnlyGuard(inner, enabled=enabled)(scope, receive, send))
    return sent, reached


def test_guard_refuses_remote_http_and_websockets_and_passes_local_ones() -> None:
    sent, reached = _through_guard(_scope(client=("192.0.2.9", 1)))
    assert not reached and sent[0]["status"] == 403 and sent[1]["body"] == LOCAL_ONLY_HTML
    sent, reached = _through_guard(_scope("websocket", headers=[(b"x-real-ip", b"203.0.113.5")]))
    assert not reached and sent == [{"type": "websocket.close", "code": 1008}]
    for scope in (_scope(), _scope("websocket"), {"type": "lifespan"}):
        assert _through_guard(scope) == ([], True)
    assert _through_guard(_scope(client=("192.0.2.9", 1)), enabled=False) == ([], True)


# -- the gate in the app (AppTest) ----------------------------------------------------------------------

@pytest.fixture
def local_accounts(atlas_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """ATLAS_AUTH=local with one account, somchai; the attempt limiter starts empty."""
    users = tmp_path / "users.json"
    UserStore(users, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)).add("somchai", PASSWORD)
    monkeypatch.setenv("ATLAS_AUTH", "local")
    monkeypatch.setenv("ATLAS_USERS_FILE", str(users))
    auth._limiter.clear()
    yield users
    auth._limiter.clear()


def _texts(at: AppTest) -> str:
    return " ".join([t.value for t in at.title] + [m.value for m in at.markdown] + [c.value for c in at.caption]
                    + [m.label for m in at.metric] + [e.value for e in at.error] + [w.value for w in at.warning])


def _sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input[0].input(name)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def _signed_out_form(at: AppTest, page: str) -> None:
    assert not at.exception, (page, at.exception)
    assert [t.value for t in at.title] == [auth.SIGNIN_TITLE], page
    assert [t.label for t in at.text_input] == ["Account name", "Password"], page
    text = _texts(at)
    for leak in ("SIMULATED", "Places shown", "Visitors", "Filters", "Tables", "Date range"):
        assert leak not in text, (page, leak)
    # the sidebar holds only the language choice (the form is in the reader's language too)
    assert [w.key for w in at.sidebar.radio] == ["atlas_lang"] and len(at.sidebar) == 1, page
    assert not at.dataframe and not at.metric, page


@pytest.mark.parametrize("page", list(PAGES))
def test_signed_out_every_page_shows_only_the_sign_in_form(local_accounts: Path, page: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page)
    _signed_out_form(at.run(), page)


@pytest.mark.parametrize("page", ["pages/views/density.py", "pages/views/sql.py", "pages/views/atlas_map.py"])
def test_signing_in_opens_the_page_the_address_named(local_accounts: Path, page: str) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(page)
    _sign_in(at.run(), "Somchai", PASSWORD)
    assert not at.exception, at.exception
    assert at.title[0].value == PAGES[page]
    assert any(c.value == "Signed in as somchai" for c in at.sidebar.caption)


def test_wrong_password_gets_one_generic_message_and_the_form_again(local_accounts: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    _sign_in(at, "somchai", "wrong password")
    assert [e.value for e in at.error] == [auth.FAILED_MESSAGE]
    unknown = _sign_in(AppTest.from_file(APP, default_timeout=60).run(), "nobody", "wrong password")
    assert [e.value for e in unknown.error] == [e.value for e in at.error]  # unknown name: the same words
    _signed_out_form(at, "after a failure")


def test_five_failures_lock_the_account_for_this_client(local_accounts: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    for _ in range(5):
        _sign_in(at, "somchai", "wrong password")
    _sign_in(at, "somchai", PASSWORD)  # right password, but locked
    assert "Too many failed sign-ins" in at.error[0].value
    assert at.title[0].value == auth.SIGNIN_TITLE


def test_sign_out_clears_the_session(local_accounts: Path) -> None:
    at = _sign_in(AppTest.from_file(APP, default_timeout=60).run(), "somchai", PASSWORD)
    assert at.title[0].value == PAGES["pages/views/atlas_map.py"]
    # AppTest keeps the pre-sign-in page hash for one more run (a page change resets widget triggers);
    # a browser sends the page it shows. tests/browser/test_signin.py clicks sign-out right after signing in.
    at.run()
    at.sidebar.button(key="atlas_sign_out").click().run()
    _signed_out_form(at, "after sign-out")
    assert "atlas_signed_in" not in at.session_state


def test_removing_an_account_ends_its_session(local_accounts: Path) -> None:
    at = _sign_in(AppTest.from_file(APP, default_timeout=60).run(), "somchai", PASSWORD)
    UserStore(local_accounts).remove("somchai")
    at.run()
    _signed_out_form(at, "after removal")


def test_a_local_sign_in_expires(local_accounts: Path, monkeypatch) -> None:
    at = _sign_in(AppTest.from_file(APP, default_timeout=60).run(), "somchai", PASSWORD)
    assert at.title[0].value == PAGES["pages/views/atlas_map.py"]
    name, since = at.session_state["atlas_signed_in"]
    at.session_state["atlas_signed_in"] = (name, since - auth.SESSION_MAX_S - 1)
    at.run()
    _signed_out_form(at, "after expiry")


def test_local_mode_without_accounts_says_how_to_add_one(atlas_env: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_AUTH", "local")
    monkeypatch.setenv("ATLAS_USERS_FILE", str(tmp_path / "none.json"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert "`python -m geo user add NAME`" in at.info[0].value
    _signed_out_form(at, "no accounts")


def test_sign_in_off_on_loopback_shows_the_local_use_note(atlas_env: Path) -> None:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert at.title[0].value == PAGES["pages/views/atlas_map.py"]
    assert any(c.value.startswith("Local use, no sign-in") for c in at.sidebar.caption)


def test_off_on_a_network_address_shows_a_full_page_error(atlas_env: Path, monkeypatch) -> None:
    from streamlit import config

    monkeypatch.setenv("ATLAS_AUTH", "off")
    config.set_option("server.address", "0.0.0.0")
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "refusing to serve" in at.error[0].value
    assert len(at.title) == 1 and not at.metric and not at.sidebar.caption


OIDC_SECRETS = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "a-long-cookie-secret-x",
                "client_id": "atlas", "client_secret": "s", "server_metadata_url":
                "http://127.0.0.1:9/realms/city/.well-known/openid-configuration"}


def _oidc_app(user: dict) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets["auth"] = OIDC_SECRETS
    at.user = user
    return at


def test_oidc_signed_out_offers_the_provider_and_calls_st_login(atlas_env: Path, monkeypatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(st, "login", lambda provider=None: calls.append(provider))
    at = _oidc_app({"is_logged_in": False}).run()
    assert not at.exception, at.exception
    assert at.title[0].value == auth.SIGNIN_TITLE and not at.metric
    at.button[0].click().run()
    assert calls == [None]


def test_oidc_signed_in_sees_the_pages_and_signs_out_with_st_logout(atlas_env: Path, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(st, "logout", lambda: calls.append("logout"))
    at = _oidc_app({"is_logged_in": True, "email": "somchai@chiangmai.go.th"}).run()
    assert not at.exception, at.exception
    assert at.title[0].value == PAGES["pages/views/atlas_map.py"]
    assert any("somchai" in c.value for c in at.sidebar.caption)
    at.sidebar.button(key="atlas_sign_out").click().run()
    assert calls == ["logout"]


def test_oidc_allow_list_keeps_other_accounts_out(atlas_env: Path, monkeypatch) -> None:
    monkeypatch.setenv("ATLAS_OIDC_ALLOW", "@chiangmai.go.th")
    at = _oidc_app({"is_logged_in": True, "email": "someone@gmail.com"}).run()
    assert not at.exception, at.exception
    assert at.title[0].value == auth.SIGNIN_TITLE and not at.metric
    assert "may not use the officials" in at.error[0].value
