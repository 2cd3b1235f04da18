"""Officials' sign-in: choose the mode (OIDC, local accounts, off) and show no page until a session has signed in.

``app.py`` calls ``require_signin(pages)`` before it registers its pages. Without a signed-in session every
page address (``/``, ``/density``, ...) runs the sign-in form instead of the page, so no page script runs and
nothing from the database reaches the browser; once signed in, the same address opens the page it named.

Modes (``ATLAS_AUTH``, resolved by ``plan_auth``):

* ``oidc``: Streamlit's ``st.login`` against the identity provider in ``.streamlit/secrets.toml`` ``[auth]``
  (identity kept in Streamlit's signed cookie; ``ATLAS_OIDC_ALLOW`` narrows who may enter);
* ``local``: names and argon2 hashes in ``ATLAS_USERS_FILE`` (``python -m geo user add``); the signed-in
  name lives in the Streamlit session (one browser tab's connection: a new tab signs in again) for at most
  ``SESSION_MAX_S`` and only while the account exists; failed attempts are limited per name and client
  (``geo.accounts.SignInLimiter``, in this process);
* ``off``: no sign-in, only when the server is bound to a loopback address (``make run``); the sidebar
  says so, and ``ui.server.LocalOnlyGuard`` answers any request that did not come from this machine.
* ``auto`` (default): ``oidc`` when ``[auth]`` is configured, else ``off`` on loopback, ``local`` otherwise.

Public mode (``ATLAS_MODE=public``) has no sign-in: it serves only the floored public pages.
"""

from __future__ import annotations

import importlib.util
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import streamlit as st

from geo.accounts import SignInLimiter, UserStore
from geo.errors import AtlasError, ConfigError
from geo.i18n import N_, _
from geo.settings import Settings, get_settings
from geo.text import markdown_text
from ui.server import is_loopback

AuthMode = Literal["oidc", "local", "off", "public"]

#: Session-state key of the signed-in local account: (name, time.time() of sign-in).
SESSION_KEY = "atlas_signed_in"
#: A local sign-in lasts at most this long (seconds), however active the tab: then the form comes back.
SESSION_MAX_S = 12 * 3600
#: The address Streamlit binds when ``server.address`` is not set: every interface.
ALL_INTERFACES = "0.0.0.0"
FAILED_MESSAGE = N_("Sign-in failed: unknown account name or wrong password.")

log = logging.getLogger("tourism_atlas.auth")
if not log.handlers:
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False


@dataclass(frozen=True)
class AuthPlan:
    """How this server signs officials in, and why (for the log and the sidebar note)."""

    mode: AuthMode
    bind: str
    reason: str


def bind_address() -> str:
    """The address Streamlit serves on (``server.address``; unset means every interface).

    A Unix socket address (``unix://...``) counts as non-loopback: such a socket sits behind a proxy.
    """
    from streamlit import config

    address = config.get_option("server.address")
    return str(address).strip() if address else ALL_INTERFACES


def auth_section() -> Mapping[str, Any]:
    """The ``[auth]`` section of ``.streamlit/secrets.toml`` (empty when there is none)."""
    try:
        if not st.secrets.load_if_toml_exists() or "auth" not in st.secrets:
            return {}
        return st.secrets["auth"]
    except (FileNotFoundError, KeyError, AttributeError):  # no secrets file, or a test double without one
        return {}


def oidc_provider(section: Mapping[str, Any]) -> str | None:
    """The provider name ``st.login`` takes: None for a single unnamed provider, else the first named one."""
    if "client_id" in section or "server_metadata_url" in section:
        return None
    named = [key for key, value in section.items() if isinstance(value, Mapping)]
    return named[0] if named else None


def plan_auth(settings: Settings, bind: str, oidc_configured: bool) -> AuthPlan:
    """Resolve ``ATLAS_AUTH`` against the bind address and the secrets; ``ConfigError`` when it cannot serve.

    Officials' mode with sign-in off is refused on any address but loopback, and ``oidc`` without an
    ``[auth]`` section is refused too: the server would otherwise start open, or with no way in.
    """
    if settings.is_public:
        return AuthPlan("public", bind, "public view: no sign-in, only the public pages")
    mode = settings.auth
    if mode == "auto":
        if oidc_configured:
            mode, reason = "oidc", "an identity provider is configured in .streamlit/secrets.toml"
        elif is_loopback(bind):
            mode, reason = "off", f"bound to {bind} (this machine only)"
        else:
            mode, reason = "local", f"bound to {bind}, reachable from the network"
    else:
        reason = f"ATLAS_AUTH={mode}"
    if mode == "oidc" and not oidc_configured:
        msg = ("ATLAS_AUTH=oidc needs an identity provider: an [auth] section in .streamlit/secrets.toml "
               "(redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url; see docs/deploy.md)")
        raise ConfigError(msg)
    if mode == "oidc" and importlib.util.find_spec("authlib") is None:
        msg = "ATLAS_AUTH=oidc needs the Authlib package (pip install 'Authlib>=1.3.2'; `make setup` installs it)"
        raise ConfigError(msg)
    if mode == "off" and not is_loopback(bind):
        msg = (f"refusing to serve the officials' atlas without sign-in on {bind}: ATLAS_AUTH=off is only for "
               "a server bound to this machine (--server.address 127.0.0.1, as `make run` does). Set "
               "ATLAS_AUTH=local (accounts: `python -m geo user add NAME`) or configure OIDC, or bind to 127.0.0.1.")
        raise ConfigError(msg)
    return AuthPlan(mode, bind, reason)  # type: ignore[arg-type]


def current_plan() -> AuthPlan:
    """``plan_auth`` for this process's settings, bind address and secrets."""
    return plan_auth(get_settings(), bind_address(), bool(auth_section()))


def startup_plan() -> AuthPlan:
    """The plan when the server starts (``serve.py``): logs it, or logs the reason and exits with status 2."""
    try:
        plan = current_plan()
    except ConfigError as exc:
        log.error("cannot start: %s", exc)
        raise SystemExit(2) from None
    log.info("sign-in: %s (%s)", plan.mode, plan.reason)
    return plan


# -- the gate -------------------------------------------------------------------------------------------

@st.cache_resource(show_spinner=False)
def _limiter() -> SignInLimiter:
    """One attempt limiter for the whole server process (shared by every session)."""
    return SignInLimiter()


@st.cache_resource(show_spinner=False, max_entries=4)
def _user_store(path: str) -> UserStore:
    return UserStore(Path(path))


def _client_ip() -> str | None:
    """The browser connection's IP address (None for this machine, or when there is no request, as in AppTest)."""
    try:
        ip = st.context.ip_address
    except (AttributeError, RuntimeError):
        return None
    return ip if isinstance(ip, str) and ip else None


def _client() -> str:
    """The client's address for the attempt limiter ("local" for this machine)."""
    return _client_ip() or "local"


def request_is_local() -> bool:
    """True when this session's browser connection came from this machine, not through a proxy."""
    try:
        headers = {k.lower(): v for k, v in st.context.headers.items()}
    except (AttributeError, RuntimeError):
        headers = {}  # no request (AppTest): nothing reached us from outside
    from ui.server import FORWARD_HEADERS, host_is_loopback

    ip = _client_ip()
    if ip is not None and not is_loopback(ip):
        return False
    if any(h.decode() in headers for h in FORWARD_HEADERS):
        return False
    host = headers.get("host")
    return host is None or host_is_loopback(host)


def oidc_allowed(email: str | None, allow: tuple[str, ...]) -> bool:
    """True when ``email`` may enter: no allow-list, or it names the address or its ``@domain``."""
    if not allow:
        return True
    if not email or "@" not in email:
        return False
    email = email.strip().lower()
    return email in allow or "@" + email.rsplit("@", 1)[1] in allow


def _oidc_user() -> tuple[bool, str | None]:
    user = st.user
    logged_in = bool(user.get("is_logged_in", False))
    email = user.get("email")
    return logged_in, (str(email) if email else None)


def signed_in_as(plan: AuthPlan, settings: Settings) -> str | None:
    """The signed-in official's name (or e-mail), "" when no sign-in applies, None when not signed in."""
    if plan.mode in ("off", "public"):
        return ""
    if plan.mode == "local":
        signed = st.session_state.get(SESSION_KEY)
        if signed is None:
            return None
        name, since = signed
        if time.time() - since > SESSION_MAX_S:
            log.info("session of %r expired", name)
        elif name not in _user_store(str(settings.users_file)).load():
            log.info("session of removed account %r ended", name)  # the session ends with its account
        else:
            return name
        del st.session_state[SESSION_KEY]
        return None
    logged_in, email = _oidc_user()
    if logged_in and oidc_allowed(email, settings.oidc_allow):
        return email or str(st.user.get("name") or "signed in")
    return None


#: The sign-in form's heading (no page shares it).
SIGNIN_TITLE = N_("Sign in · Tourism Atlas")


def _title() -> None:
    st.title(_(SIGNIN_TITLE))
    st.caption(_("The officials' atlas of Chiang Mai tourism. Sign in to continue."))


def _local_signin(settings: Settings) -> None:
    store = _user_store(str(settings.users_file))
    _title()
    try:
        has_accounts = bool(store.names())
    except ConfigError as exc:
        log.error("accounts file: %s", exc)
        st.error(markdown_text(exc))
        return
    if not has_accounts:
        st.info(_("No accounts exist yet. An administrator adds one on the server with "
                  "`python -m geo user add NAME`."))
    with st.form("atlas_signin", clear_on_submit=True):
        name = st.text_input(_("Account name"), autocomplete="username", max_chars=64)
        password = st.text_input(_("Password"), type="password", autocomplete="current-password", max_chars=1024)
        submitted = st.form_submit_button(_("Sign in"), type="primary")
    if not submitted:
        return
    client = _client()
    limiter = _limiter()
    wait = limiter.seconds_locked(name, client)
    if wait > 0:
        log.warning("sign-in refused (locked) for %r from %s", name[:64], client)
        minutes = max(1, round(wait / 60))
        st.error(_("Too many failed sign-ins. Try again in {n} minute(s).").format(n=f"{minutes:d}"))
        return
    account = store.verify(name, password) if name and password else None
    if account is None:
        limiter.record_failure(name, client)
        log.warning("sign-in failed for %r from %s", name[:64], client)
        st.error(_(FAILED_MESSAGE))
        return
    limiter.record_success(name, client)
    log.info("signed in: %s from %s", account, client)
    st.session_state[SESSION_KEY] = (account, time.time())
    st.rerun()


def _oidc_signin(settings: Settings) -> None:
    _title()
    logged_in, email = _oidc_user()
    if logged_in and not oidc_allowed(email, settings.oidc_allow):
        log.warning("OIDC account not allowed: %r", email)
        st.error(_("The account {account} may not use the officials' atlas. Sign out and sign in with an allowed "
                   "account.").format(account=markdown_text(email or _("without an e-mail address"))))
        if st.button(_("Sign out")):
            st.logout()
        return
    st.write(_("Officials sign in with the city's identity provider."))
    if st.button(_("Sign in"), type="primary"):
        st.login(oidc_provider(auth_section()))


def _signin_view() -> None:
    """What every address shows until the session has signed in."""
    settings = get_settings()
    plan = current_plan()
    if plan.mode == "local":
        _local_signin(settings)
    else:
        _oidc_signin(settings)


def _sidebar(plan: AuthPlan, who: str) -> None:
    if plan.mode == "public":
        return
    sb = st.sidebar
    if plan.mode == "off":
        sb.caption(_("Local use, no sign-in: this server answers only this machine (ATLAS_AUTH=off)."))
        return
    sb.caption(_("Signed in as {who}").format(who=markdown_text(who)))
    if sb.button(_("Sign out"), key="atlas_sign_out"):
        log.info("signed out: %s", who)
        if plan.mode == "oidc":
            st.logout()
        else:
            for key in list(st.session_state.keys()):
                del st.session_state[key]
            st.rerun()


def _refuse(message: str) -> None:
    """A full-page error instead of any page, logged once per run; stops the script."""
    log.error("%s", message)
    st.title(_("Tourism Atlas · Chiang Mai"))
    st.error(markdown_text(message))
    st.stop()


def require_signin(pages: Mapping[str, Any]) -> None:
    """Return when this session may see the officials' pages; otherwise show the sign-in form and stop.

    ``pages`` maps each page's URL name to its ``st.Page``. Signed out, the navigation registers a sign-in
    stand-in under every one of those names (hidden menu), so any address shows the form and, once signed
    in, the rerun opens the page that address named.
    """
    try:
        settings = get_settings()
        plan = current_plan()
    except ConfigError as exc:
        _refuse(f"The atlas cannot start: {exc}")
        return
    if plan.mode == "off" and not request_is_local():
        _refuse("This atlas runs without sign-in (ATLAS_AUTH=off) and answers only this machine. "
                "Ask the administrator to turn sign-in on.")
    try:
        who = signed_in_as(plan, settings)
    except AtlasError as exc:  # pragma: no cover - defensive: a broken accounts file shows in the form
        _refuse(str(exc))
        return
    if who is None:
        stand_ins = [st.Page(_signin_view, title=_("Sign in"), url_path=name, default=(i == 0))
                     for i, name in enumerate(pages)]
        st.navigation(stand_ins, position="hidden").run()
        st.stop()
    _sidebar(plan, who)
