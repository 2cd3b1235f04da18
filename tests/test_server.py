"""The HTTP guard in front of Streamlit (ui/server.py): nested unknown page paths get a 404 page."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from ui.server import NOT_FOUND_HTML, NestedPathGuard, is_nested_page_path


@pytest.mark.parametrize(("path", "nested"), [
    ("/", False), ("/density", False), ("/density/", False), ("/pages/views/data.py", True),
    ("/density/extra", True), ("/static/js/index.js", False), ("/_stcore/health", False),
    ("/_stcore/stream", False), ("/app/static/leaflet/leaflet.js", False), ("/media/abc.png", False),
    ("/component/streamlit_folium.st_folium/index.html", False), ("//evil.example/x", True),
])
def test_nested_page_paths(path: str, nested: bool) -> None:
    assert is_nested_page_path(path) is nested


def test_root_path_is_stripped_before_counting_segments() -> None:
    assert not is_nested_page_path("/atlas/density", root_path="/atlas")
    assert is_nested_page_path("/atlas/a/b", root_path="/atlas")


def _run(method: str, path: str, kind: str = "http") -> tuple[list[dict], bool]:
    sent: list[dict] = []
    reached = False

    async def inner(scope, receive, send) -> None:
        nonlocal reached
        reached = True

    async def send(message) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request"}

    coro = NestedPathGuard(inner)({"type": kind, "method": method, "path": path}, receive, send)
    # a thread of its own: in the whole suite, Playwright's sync API may already run a loop on this thread
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()
    return sent, reached


def test_guard_answers_nested_get_with_404_and_passes_everything_else() -> None:
    sent, reached = _run("GET", "/pages/views/data.py")
    assert not reached and sent[0]["status"] == 404 and sent[1]["body"] == NOT_FOUND_HTML
    assert (b"content-type", b"text/html; charset=utf-8") in sent[0]["headers"]
    head, _ = _run("HEAD", "/a/b")
    assert head[1]["body"] == b""
    for method, path, kind in [("GET", "/density", "http"), ("POST", "/a/b", "http"),
                               ("GET", "/_stcore/stream", "websocket"), ("GET", "/static/x.js", "http")]:
        sent, reached = _run(method, path, kind)
        assert reached and not sent, (method, path, kind)


def test_not_found_page_is_static_and_links_home() -> None:
    assert b'href="/"' in NOT_FOUND_HTML and b"<script" not in NOT_FOUND_HTML
