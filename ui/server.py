"""HTTP-level guards around the Streamlit server (the ASGI entry point is ``serve.py``).

``LocalOnlyGuard`` (installed when officials' sign-in is off) answers every request that did not come from
this machine straight to a loopback socket with a 403 page: a peer or local socket address off loopback,
a proxy's forwarding header, or a ``Host`` that is not a loopback name. So a server started without sign-in
is not reachable from the network even when it is bound wider than ``make run`` binds it, or sits behind a
reverse proxy that sends the usual headers (docs/deploy.md).

Streamlit's static handler answers every unknown path with its ``index.html`` (single-page-app fallback).
At a nested path such as ``/pages/views/data.py`` that page's relative asset links resolve under
``/pages/views/`` and come back as HTML too, so the browser shows a blank page. Page addresses in the atlas
are one segment (``/density``); this middleware answers any deeper path that would get that fallback with a
small, static "page not found" page linking to the atlas instead.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# First path segments Streamlit (and the app's static serving) answers below the root: never intercepted.
SERVER_PREFIXES = frozenset({"_stcore", "static", "app", "component", "media", "auth", "oauth2callback",
                             "bidi-components", "favicon.png", "manifest.json"})

NOT_FOUND_HTML = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Page not found - Tourism Atlas</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; margin: 3rem; color: #222">
<h1>Page not found</h1>
<p>The Tourism Atlas has no page at this address. Pages have one-part addresses such as
<code>/density</code> or <code>/flows</code>.</p>
<p><a href="/">Open the Tourism Atlas</a></p>
</body></html>
"""


def is_nested_page_path(path: str, root_path: str = "") -> bool:
    """True when ``path`` (below ``root_path``) has two or more segments outside the server's own prefixes."""
    if root_path and path.startswith(root_path):
        path = path[len(root_path):]
    parts = [p for p in path.split("/") if p]
    return len(parts) >= 2 and parts[0] not in SERVER_PREFIXES


class NestedPathGuard:
    """ASGI middleware: a GET/HEAD for a nested page path gets a 404 page instead of a blank app shell."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer nested page paths here; pass everything else (websockets included) to Streamlit."""
        if (scope.get("type") == "http" and scope.get("method") in {"GET", "HEAD"}
                and is_nested_page_path(scope.get("path", ""), scope.get("root_path", ""))):
            await send({"type": "http.response.start", "status": 404, "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-length", str(len(NOT_FOUND_HTML)).encode()),
                (b"cache-control", b"no-cache"),
                (b"x-content-type-options", b"nosniff"),
            ]})
            body = b"" if scope.get("method") == "HEAD" else NOT_FOUND_HTML
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)


#: Host names that always mean this machine.
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
#: Headers a reverse proxy adds: a request carrying one came from elsewhere through the proxy.
FORWARD_HEADERS = frozenset({b"x-forwarded-for", b"forwarded", b"x-real-ip", b"x-forwarded-host"})

LOCAL_ONLY_HTML = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Local use only - Tourism Atlas</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: sans-serif; margin: 3rem; color: #222">
<h1>Local use only</h1>
<p>This Tourism Atlas server runs without sign-in and answers only the machine it runs on.
Ask its administrator to turn sign-in on (ATLAS_AUTH=local or oidc).</p>
</body></html>
"""


def is_loopback(host: str | None) -> bool:
    """True for a loopback IP address (127.0.0.0/8, ::1, IPv4-mapped) or a loopback host name."""
    if not host:
        return False
    host = host.strip().strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def host_is_loopback(host_header: str) -> bool:
    """True when a ``Host`` header (``name[:port]``, ``[v6]:port``) names this machine."""
    host = host_header.strip()
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return is_loopback(host)


def is_local_request(scope: Scope) -> bool:
    """True when an ASGI request arrived on a loopback socket from a loopback peer, not through a proxy."""
    server = scope.get("server")
    client = scope.get("client")
    if server is not None and not is_loopback(str(server[0]) if server[0] is not None else None):
        return False
    if client is not None and not is_loopback(str(client[0]) if client[0] is not None else None):
        return False
    headers: Iterable[tuple[bytes, bytes]] = scope.get("headers") or []
    for name, value in headers:
        lower = name.lower()
        if lower in FORWARD_HEADERS:
            return False
        if lower == b"host" and not host_is_loopback(value.decode("latin-1")):
            return False
    return True


class LocalOnlyGuard:
    """ASGI middleware for a server without sign-in: anything not from this machine gets a 403 page."""

    def __init__(self, app: ASGIApp, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse non-local HTTP requests and websockets; pass lifespan and local requests to Streamlit."""
        kind = scope.get("type")
        if not self.enabled or kind not in ("http", "websocket") or is_local_request(scope):
            await self.app(scope, receive, send)
            return
        if kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: the server answers 403
            return
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-length", str(len(LOCAL_ONLY_HTML)).encode()),
            (b"cache-control", b"no-store"),
            (b"x-content-type-options", b"nosniff"),
        ]})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else LOCAL_ONLY_HTML})
