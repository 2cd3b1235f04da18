"""HTTP-level middleware around the Streamlit server (the ASGI entry point is ``serve.py``).

``LocalOnlyGuard`` (installed when officials' sign-in is off) answers every request that did not come from
this machine straight to a loopback socket with a 403 page: a peer or local socket address off loopback,
a proxy's forwarding header, or a ``Host`` that is not a loopback name. So a server started without sign-in
is not reachable from the network even when it is bound wider than ``make run`` binds it, or sits behind a
reverse proxy that sends the usual headers (docs/deploy.md).

``NestedPathGuard``: Streamlit's static handler answers every unknown path with its ``index.html`` (single-page-app fallback).
At a nested path such as ``/pages/views/data.py`` that page's relative asset links resolve under
``/pages/views/`` and come back as HTML too, so the browser shows a blank page. Page addresses in the atlas
are one segment (``/density``); this middleware answers any deeper path that would get that fallback with a
small, static "page not found" page linking to the atlas instead.

``StaticCache``: every new browser fetches ~3.7 MB of static files (Streamlit's frontend bundle, the map
component, Leaflet). Streamlit reads each from disk in 64 KB chunks through worker threads, and gzips the
component and Leaflet files again for every request; that was most of a browser session's server CPU once
the page itself was cached (docs/reliability.md). The middleware keeps the answers in memory and sends them
in one piece; the content-hashed frontend bundle, which Streamlit never compresses, is gzipped once.
"""

from __future__ import annotations

import asyncio
import gzip
import ipaddress
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
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


#: Path prefixes whose GET answers are the same for every visitor: Streamlit's frontend bundle (content-hashed
#: names, served "immutable"), component files (from installed packages) and the app's own static files
#: (``static/``: Leaflet, jQuery, plugins; revalidated against the file on every hit).
CACHED_PREFIXES = ("/static/", "/component/", "/app/static/")
#: Of those, the prefix Streamlit serves uncompressed on purpose (it would gzip on every request); compressed
#: here once per file.
COMPRESS_ONCE_PREFIX = "/static/"
#: Content types worth compressing.
COMPRESSIBLE_TYPES = (b"text/", b"application/javascript", b"application/json", b"image/svg+xml",
                      b"application/xml", b"application/wasm")
#: Request headers that make an answer depend on more than the path: left to Streamlit.
PASS_HEADERS = frozenset({b"range", b"if-none-match", b"if-modified-since", b"if-range", b"authorization"})
#: Response cache directives that forbid keeping the answer.
NO_STORE = (b"no-cache", b"no-store", b"private")


@dataclass(frozen=True)
class _Entry:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    #: (mtime_ns, size) of the file behind an ``/app/static/`` answer; None for files that cannot change.
    stamp: tuple[int, int] | None


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class StaticCache:
    """ASGI middleware: answer repeated GETs of static files from memory (Streamlit's own answer, kept).

    Only a complete ``200`` answer to a plain GET (no query string, no range or conditional header) under
    ``CACHED_PREFIXES`` is kept, and only when it sets no cookie and its ``Cache-Control`` allows it (the
    ``index.html`` fallback is ``no-cache``). Keys are the path and whether the client accepts gzip, so a
    client gets exactly what Streamlit would send it; the frontend bundle's gzip variant (``Vary:
    Accept-Encoding``, its own ``ETag``) is built once, in a worker thread. An ``/app/static/`` answer is
    dropped when its file's modification time or size changes. The cache holds at most ``max_bytes``.
    """

    def __init__(self, app: ASGIApp, *, app_static_dir: Path | None = None, max_bytes: int = 64 * 2**20,
                 max_entry_bytes: int = 8 * 2**20) -> None:
        self.app = app
        if app_static_dir is None:
            from geo.settings import ROOT

            app_static_dir = ROOT / "static"
        self.app_static_dir = app_static_dir.resolve()
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.bytes = 0
        self._entries: dict[tuple[str, bool], _Entry] = {}

    def _app_static_stamp(self, path: str) -> tuple[int, int] | None:
        """(mtime_ns, size) of the file an ``/app/static/...`` path names; None outside the folder or missing."""
        try:
            target = (self.app_static_dir / path[len("/app/static/"):]).resolve()
            if not target.is_relative_to(self.app_static_dir):
                return None
            st = target.stat()
        except (OSError, ValueError):  # ValueError: an embedded NUL byte
            return None
        return st.st_mtime_ns, st.st_size

    def _store(self, key: tuple[str, bool], entry: _Entry) -> None:
        old = self._entries.get(key)
        size = len(entry.body) - (len(old.body) if old else 0)
        if len(entry.body) > self.max_entry_bytes or self.bytes + size > self.max_bytes:
            return
        self._entries[key] = entry
        self.bytes += size

    def _drop(self, key: tuple[str, bool]) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self.bytes -= len(old.body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a kept answer, or let Streamlit answer and keep it when it may be kept."""
        if scope.get("type") != "http" or scope.get("method") != "GET" or scope.get("query_string"):
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        root_path = scope.get("root_path", "")
        if root_path and path.startswith(root_path):
            path = path[len(root_path):]
        prefix = next((p for p in CACHED_PREFIXES if path.startswith(p)), None)
        headers = [(k.lower(), v) for k, v in scope.get("headers", [])]
        if prefix is None or any(k in PASS_HEADERS for k, _ in headers) or "\x00" in path or ".." in path:
            # odd paths (NUL bytes, dot segments) are Streamlit's to refuse; nothing about them is kept
            await self.app(scope, receive, send)
            return
        accept = b" ".join(v for k, v in headers if k == b"accept-encoding").lower()
        key = (path, b"gzip" in accept)
        stamp = self._app_static_stamp(path) if prefix == "/app/static/" else None
        entry = self._entries.get(key)
        if entry is None and prefix == COMPRESS_ONCE_PREFIX:
            entry = self._entries.get((path, False))  # not compressible: Streamlit's one answer for everybody
        if entry is not None and entry.stamp == stamp:
            await send({"type": "http.response.start", "status": 200, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
            return
        if entry is not None:
            self._drop((path, False))
            self._drop((path, True))

        status = 0
        out_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        complete = False

        async def capture(message: Message) -> None:
            nonlocal status, out_headers, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                out_headers = [(bytes(k), bytes(v)) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, capture)
        cache_control = (_header(out_headers, b"cache-control") or b"").lower()
        if (status != 200 or not complete or _header(out_headers, b"set-cookie") is not None
                or any(d in cache_control for d in NO_STORE)
                or (prefix == "/app/static/" and stamp is None)):
            return
        body = b"".join(chunks)
        if prefix != COMPRESS_ONCE_PREFIX:
            self._store(key, _Entry(out_headers, body, stamp))
            return
        # Streamlit answers this prefix the same whatever the client accepts: keep it as the identity answer,
        # and a gzip variant built once for clients that accept gzip.
        compressible = (_header(out_headers, b"content-encoding") is None and len(body) >= 1024
                        and (_header(out_headers, b"content-type") or b"").lower().startswith(COMPRESSIBLE_TYPES))
        if not compressible:
            self._store((path, False), _Entry(out_headers, body, None))
            return
        self._store((path, False), _Entry(_with_vary(out_headers), body, None))
        if (path, True) not in self._entries:
            packed = await asyncio.get_running_loop().run_in_executor(None, gzip.compress, body, 6)
            self._store((path, True), _Entry(_gzip_headers(out_headers, len(packed)), packed, None))


def _with_vary(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """``headers`` with ``Accept-Encoding`` in ``Vary`` (the answer now has a gzip variant)."""
    out: list[tuple[bytes, bytes]] = []
    seen = False
    for key, value in headers:
        if key.lower() == b"vary":
            seen = True
            if b"accept-encoding" not in value.lower():
                value = value + b", Accept-Encoding"
        out.append((key, value))
    if not seen:
        out.append((b"vary", b"Accept-Encoding"))
    return out


def _gzip_headers(headers: list[tuple[bytes, bytes]], length: int) -> list[tuple[bytes, bytes]]:
    """Headers of the gzip variant of an uncompressed answer: its length, encoding, Vary and a distinct ETag."""
    out: list[tuple[bytes, bytes]] = []
    for key, value in _with_vary(headers):
        k = key.lower()
        if k == b"content-length":
            continue
        if k == b"etag":
            value = value[:-1] + b'-gzip"' if value.endswith(b'"') else value + b"-gzip"
        out.append((key, value))
    out.append((b"content-length", str(length).encode()))
    out.append((b"content-encoding", b"gzip"))
    return out
