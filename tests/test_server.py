"""The HTTP guard in front of Streamlit (ui/server.py): nested unknown page paths get a 404 page."""

from __future__ import annotations

import pytest

from tests.aio import run
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

    run(NestedPathGuard(inner)({"type": kind, "method": method, "path": path}, receive, send))
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


# ---------------------------------------------------------------------------------------------
# StaticCache: repeated static requests answered from memory with Streamlit's own answer


def _app(status: int = 200, headers: list | None = None, body: bytes = b"x" * 4096, chunks: int = 3):
    """A fake Streamlit: answers in ``chunks`` body messages and counts its calls."""
    calls: list[dict] = []

    async def app(scope, receive, send) -> None:
        calls.append(scope)
        await send({"type": "http.response.start", "status": status,
                    "headers": headers if headers is not None else [(b"content-type", b"text/javascript"),
                                                                    (b"etag", b'"abc"'),
                                                                    (b"content-length", str(len(body)).encode())]})
        step = max(1, len(body) // chunks)
        parts = [body[i:i + step] for i in range(0, len(body), step)] or [b""]
        for i, part in enumerate(parts):
            await send({"type": "http.response.body", "body": part, "more_body": i < len(parts) - 1})

    return app, calls


def _get(mw, path: str, headers: list | None = None, query: bytes = b"", method: str = "GET") -> tuple[dict, bytes]:
    sent: list[dict] = []

    async def send(message) -> None:
        sent.append(message)

    async def receive() -> dict:
        return {"type": "http.request"}

    scope = {"type": "http", "method": method, "path": path, "query_string": query, "headers": headers or []}
    run(mw(scope, receive, send))
    return sent[0], b"".join(m.get("body", b"") for m in sent[1:])


def test_static_cache_answers_the_second_request_from_memory(tmp_path) -> None:
    from ui.server import StaticCache

    app, calls = _app(body=b"console.log(1);" * 500)
    mw = StaticCache(app, app_static_dir=tmp_path)
    first_start, first_body = _get(mw, "/static/js/index.abc.js")
    second_start, second_body = _get(mw, "/static/js/index.abc.js")
    assert len(calls) == 1
    assert second_body == first_body == b"console.log(1);" * 500
    assert second_start["status"] == 200
    assert (b"vary", b"Accept-Encoding") in second_start["headers"]  # it now has a gzip variant


def test_static_cache_gzips_the_frontend_bundle_once(tmp_path) -> None:
    import gzip

    from ui.server import StaticCache

    body = b"function f(){return 1}\n" * 400
    app, calls = _app(body=body)
    mw = StaticCache(app, app_static_dir=tmp_path)
    gz = [(b"accept-encoding", b"gzip, deflate, br")]
    first_start, first_body = _get(mw, "/static/js/a.js", gz)
    assert first_body == body  # the first client gets Streamlit's own (uncompressed) answer
    start, packed = _get(mw, "/static/js/a.js", gz)
    headers = dict(start["headers"])
    assert len(calls) == 1 and gzip.decompress(packed) == body and len(packed) < len(body) / 5
    assert headers[b"content-encoding"] == b"gzip" and headers[b"content-length"] == str(len(packed)).encode()
    assert headers[b"etag"] == b'"abc-gzip"' and headers[b"vary"] == b"Accept-Encoding"
    _, plain = _get(mw, "/static/js/a.js")  # a client without gzip still gets the plain bytes
    assert plain == body and len(calls) == 1


def test_component_answers_are_kept_per_encoding(tmp_path) -> None:
    from ui.server import StaticCache

    app, calls = _app()
    mw = StaticCache(app, app_static_dir=tmp_path)
    gz = [(b"accept-encoding", b"gzip")]
    for headers in (gz, gz, [], []):
        _get(mw, "/component/streamlit_folium.st_folium/static/js/main.js", headers)
    assert len(calls) == 2  # one miss per encoding: Streamlit gzips these itself


@pytest.mark.parametrize(("path", "kwargs", "answer"), [
    ("/density", {}, {}),
    ("/_stcore/health", {}, {}),
    ("/static/js/a.js", {"query": b"v=1"}, {}),
    ("/static/js/a.js", {"headers": [(b"range", b"bytes=0-10")]}, {}),
    ("/static/js/a.js", {"headers": [(b"if-none-match", b'"abc"')]}, {}),
    ("/static/js/a.js", {"method": "HEAD"}, {}),
    ("/static/js/missing.js", {}, {"status": 404}),
    ("/static/index.html", {}, {"headers": [(b"cache-control", b"no-cache")]}),
    ("/static/js/a.js", {}, {"headers": [(b"set-cookie", b"a=b")]}),
    ("/app/static/leaflet/missing.js", {}, {}),
])
def test_static_cache_leaves_everything_else_to_streamlit(tmp_path, path, kwargs, answer) -> None:
    from ui.server import StaticCache

    app, calls = _app(**answer)
    mw = StaticCache(app, app_static_dir=tmp_path)
    _get(mw, path, **kwargs)
    _get(mw, path, **kwargs)
    assert len(calls) == 2 and mw.bytes == 0


def test_app_static_answers_follow_the_file(tmp_path) -> None:
    import os

    from ui.server import StaticCache

    (tmp_path / "leaflet").mkdir()
    target = tmp_path / "leaflet" / "leaflet.js"
    target.write_text("v1")
    app, calls = _app()
    mw = StaticCache(app, app_static_dir=tmp_path)
    _get(mw, "/app/static/leaflet/leaflet.js")
    _get(mw, "/app/static/leaflet/leaflet.js")
    assert len(calls) == 1
    target.write_text("v2 longer")
    os.utime(target, ns=(1, 1))
    _get(mw, "/app/static/leaflet/leaflet.js")
    assert len(calls) == 2  # the file changed: asked again
    _get(mw, "/app/static/../../etc/passwd")
    _get(mw, "/app/static/../../etc/passwd")
    assert len(calls) == 4  # outside the folder: never kept


def test_static_cache_is_bounded(tmp_path) -> None:
    from ui.server import StaticCache

    app, calls = _app(body=b"y" * 3000, headers=[(b"content-type", b"image/png")])
    mw = StaticCache(app, app_static_dir=tmp_path, max_bytes=5000)
    for name in ("a", "b", "a", "b"):
        _get(mw, f"/static/media/{name}.png")
    assert mw.bytes == 3000 and len(calls) == 3  # only the first fitted
