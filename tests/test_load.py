"""The load test's protocol client on a small N (bench/load.py, `make load`): correctness only, no timing.

A served public view (serve.py, ATLAS_MODE=public) on loopback; sessions speak Streamlit's websocket protocol
as the browser's frontend does. Every session must reach ``script_finished`` on its page load and on its filter
change with the map element present, with no exception element, no ``page_not_found``, no disconnect and no
timeout. The speed targets live in the load report (docs/reliability.md), not here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import load
from geo.settings import ROOT
from tests.aio import run as run_coro

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def public_server(public_db: Path) -> Iterator[load.Server]:
    with load.serve(public_db, "public", log=ROOT / "test-artifacts" / "load-test-server.log") as server:
        yield server


def _check(results: list[load.SessionResult], change: bool = True) -> None:
    for r in results:
        assert r.ok, r.errors
        assert r.open.status == "FINISHED_SUCCESSFULLY" and r.open.has_map
        if change:
            assert r.change.status == "FINISHED_SUCCESSFULLY" and r.change.has_map


def test_first_sessions_of_a_fresh_server_open_the_deep_link(public_server: load.Server) -> None:
    """Sessions that start before any script run has finished (a fresh server) get the page, not page_not_found."""
    _check(run_coro(load.protocol_sessions(public_server.url, "density", 3)))


@pytest.mark.parametrize("page", ["density", "map"])
def test_concurrent_protocol_sessions(public_server: load.Server, page: str) -> None:
    results = run_coro(load.protocol_sessions(public_server.url, page, 3))
    _check(results)
    # The filter change reached the server: the density page keeps the playback hour in the URL.
    if page == "density":
        assert all(r.change.map_bytes > 0 for r in results)


def test_sequential_sessions(public_server: load.Server) -> None:
    async def run() -> list[load.SessionResult]:
        return await load._sequential(public_server, "density", 20, True, 120)

    results = run_coro(run())
    _check(results)
    assert public_server.cpu() > 0 and public_server.rss_mb() > 0


def test_the_change_sends_every_widget_like_the_frontend(public_server: load.Server) -> None:
    session = load.ProtocolSession(public_server.url, "density")
    result = run_coro(session.run(load.CHANGES["density"]))
    assert result.ok, result.errors
    keys = {wid.rsplit("-", 1)[-1] for wid in session.widgets}
    # the public view's sidebar: a month range instead of dates, no season (published rows are per month)
    assert {"f_months", "f_weekdays", "f_hours", "f_segments", "dens_view", "dens_hour"} <= keys
    states = session._change_states(load.CHANGES["density"])
    by_key = {w.id.rsplit("-", 1)[-1]: w for w in states.widgets}
    assert list(by_key["dens_hour"].string_array_value.data) == ["12:00"]
    assert list(by_key["f_hours"].double_array_value.data) == [0.0, 23.0]
    # the server wrote the playback hour into the address (page_info_changed), beside the language
    assert sorted(session.query.split("&")) == ["d_hour=12", "lang=en"]


def test_figures_and_table_from_phases() -> None:
    ok = load.SessionResult(ok=True, open=load.RunResult(seconds=0.5, status="FINISHED_SUCCESSFULLY", has_map=True),
                            change=load.RunResult(seconds=0.2, status="FINISHED_SUCCESSFULLY", has_map=True),
                            total_s=0.8)
    bad = load.SessionResult(errors=["timeout after 120 s"])
    phases = {"warm_page_loads": load._phase("protocol", [ok, ok], 1.0, 0.1),
              "concurrent_1": load._phase("protocol", [ok, bad], 1.0, 0.4),
              "sequential": load._phase("protocol", [ok], 1.0, 0.05, rss_before_mb=300.0, rss_after_mb=310.0,
                                        rss_growth_mb=10.0)}
    figs = load.figures(phases)
    assert figs["cpu_s_per_page_load_warm"] == 0.05
    assert figs["concurrent_p95_s"] == 0.5 and figs["errors"] == 1 and figs["memory_growth_mb"] == 10.0
    status = load.status(figs)
    assert status == {"cpu_s_per_page_load_warm": "pass", "concurrent_p95_s": "pass", "errors": "MISS",
                      "memory_growth_mb": "pass"}
    table = load.format_table({"phases": phases, "figures": figs, "status": status})
    assert "concurrent_1" in table and "MISS" in table


def test_static_files_are_streamlits_bytes_from_memory_and_gzipped(public_server: load.Server) -> None:
    """serve.py's StaticCache: repeated answers equal the files on disk, gzipped or not."""
    import gzip
    import re

    from streamlit import file_util

    host, port = public_server.host_port

    def get(path: str, gz: bool) -> tuple[int, dict, bytes]:
        async def run() -> tuple[int, dict, bytes]:
            reader, writer = await asyncio.open_connection(host, port)
            head = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
            writer.write((head + ("Accept-Encoding: gzip\r\n" if gz else "") + "\r\n").encode())
            raw = await reader.read()
            writer.close()
            blob, _, body = raw.partition(b"\r\n\r\n")
            lines = blob.decode("latin-1").split("\r\n")
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
            if headers.get("transfer-encoding") == "chunked":
                chunks, rest = [], body
                while True:
                    size_line, _, rest = rest.partition(b"\r\n")
                    size = int(size_line.split(b";")[0], 16)
                    if size == 0:
                        break
                    chunks.append(rest[:size])
                    rest = rest[size + 2:]
                body = b"".join(chunks)
            return int(lines[0].split()[1]), headers, body
        return run_coro(run())

    _, _, shell = get("/density", False)
    bundle = re.search(rb'src="\.?/?(static/js/[^"]+\.js)"', shell)
    assert bundle, shell[:500]
    on_disk = (Path(file_util.get_static_dir()) / bundle.group(1).decode()).read_bytes()
    leaflet = (ROOT / "static" / "leaflet" / "leaflet.js").read_bytes()
    for path, expected in ((f"/{bundle.group(1).decode()}", on_disk), ("/app/static/leaflet/leaflet.js", leaflet)):
        for _ in range(2):
            status, headers, body = get(path, False)
            assert status == 200 and body == expected and "content-encoding" not in headers, path
            status, headers, body = get(path, True)
            assert status == 200, path
            assert (gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body) == expected, path
    status, headers, body = get(f"/{bundle.group(1).decode()}", True)
    assert headers.get("content-encoding") == "gzip" and len(body) < len(on_disk) / 2
