"""HTTP-level guards around the Streamlit server (the ASGI entry point is ``serve.py``).

Streamlit's static handler answers every unknown path with its ``index.html`` (single-page-app fallback).
At a nested path such as ``/pages/views/data.py`` that page's relative asset links resolve under
``/pages/views/`` and come back as HTML too, so the browser shows a blank page. Page addresses in the atlas
are one segment (``/density``); this middleware answers any deeper path that would get that fallback with a
small, static "page not found" page linking to the atlas instead.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
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
