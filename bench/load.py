"""Load and stability test: concurrent Streamlit sessions speaking the browser's own protocol, plus real browsers.

``python -m bench.load`` (``make load``) serves the app (``serve.py``, public mode by default) on a free
loopback port and drives it the way a browser's Streamlit client does, without the browser:

1. HTTP, as the page shell does: ``GET /<page>`` (the HTML shell), ``GET /_stcore/health`` (sets the
   ``_streamlit_xsrf`` cookie), ``GET /_stcore/host-config``. The frontend's static bundle is *not*
   fetched: the deploy guide serves it from the proxy's cache, and the browser sessions measure it.
2. ``ws://HOST:PORT/_stcore/stream`` with the subprotocols the frontend offers (``streamlit`` and the XSRF
   cookie's value, or ``PLACEHOLDER_AUTH_TOKEN`` without one), the ``Origin`` and ``Cookie`` headers, and
   permessage-deflate offered as Chromium does.
3. A ``BackMsg`` ``rerun_script`` with the ``ClientState`` the frontend sends on a page load (``page_name``,
   ``query_string``, empty ``widget_states`` and the ``context_info`` of a headless Chromium), then
   ``ForwardMsg``s until ``script_finished`` (``FINISHED_SUCCESSFULLY``).
4. A filter change: a second ``rerun_script`` carrying every widget's value as the frontend holds it after the
   first run (read from the widgets' protos), one of them changed (Visitor density: the playback hour), the
   query string the server last set (``page_info_changed``) and the hashes of cacheable messages received
   (``cached_message_hashes``, as the frontend's message cache reports them); again until ``script_finished``.

A session is correct when both runs finish successfully with the map component (``streamlit_folium``'s
``component_instance`` with a non-empty script) among the elements and no exception element, no
``page_not_found``, no disconnect and no timeout. Each of those is counted as an error.

Measured: per session, the server time of each run (first message sent → ``script_finished`` received) and of
the whole session (connect → last ``script_finished``); the server's CPU seconds (``utime + stime`` from
``/proc/<pid>/stat``, every thread) over each phase divided by its sessions; its resident memory
(``VmRSS``) before and after the sequential phase. Phases: one cold session (empty caches), warm page
loads one at a time (CPU per page load), N concurrent sessions, real Chromium sessions (Playwright with
Debian's ``/usr/bin/chromium``, a fresh context each, time to a Leaflet map drawn) alone and alongside N
protocol sessions, and S sequential sessions for memory growth. ``--repeat`` repeats the concurrent phase.

Nothing here asserts a timing: the figures are compared with the targets in the printed table and the JSON
(``docs/reliability.md``). ``tests/test_load.py`` runs a small N for correctness only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync",
    # No internet: every host but loopback resolves to nothing (tiles fail; the map draws on grey).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
]
#: What the frontend sends as its auth token when it has neither a host token nor an XSRF cookie.
PLACEHOLDER_TOKEN = "PLACEHOLDER_AUTH_TOKEN"
#: The streamlit-folium component every atlas map is drawn with.
MAP_COMPONENT = "streamlit_folium.st_folium"
CLK_TCK = os.sysconf("SC_CLK_TCK")

#: Target → (comparison, value); from issue 13.
TARGETS: dict[str, tuple[str, float]] = {
    "cpu_s_per_page_load_warm": ("<=", 0.25),
    "concurrent_p95_s": ("<=", 2.0),
    "errors": ("<=", 0),
    "memory_growth_mb": ("<=", 100.0),
}


# ---------------------------------------------------------------------------------------------
# The widget change a session makes (one per page)


@dataclass(frozen=True)
class Change:
    """A filter change: the widget (by its key, the end of its id) and the value the browser would send."""

    widget_key: str
    #: Picks the new value from the widget's proto (its options): returns (WidgetState field, value).
    choose: Callable[[Any], tuple[str, Any]]
    label: str


def _pick_hour(proto: Any) -> tuple[str, Any]:
    options = list(proto.options)
    wanted = "12:00" if "12:00" in options else options[len(options) // 2]
    return "string_array_value", [wanted]


def _pick_first_category(proto: Any) -> tuple[str, Any]:
    return "string_array_value", [proto.options[0]]


#: Page name → its address (the landing page, the default, lives at "/": its own url_path does not open it).
PAGE_PATHS: dict[str, str] = {"density": "density", "map": ""}
#: Page name → the change its sessions make.
CHANGES: dict[str, Change] = {
    "density": Change("dens_hour", _pick_hour, "playback hour → 12:00"),
    "map": Change("f_categories", _pick_first_category, "place categories → the first category"),
}


# ---------------------------------------------------------------------------------------------
# Server process: start, CPU seconds, memory


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (every thread), from ``/proc/<pid>/stat``."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2:].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def proc_rss_mb(pid: int) -> float:
    """Resident memory (``VmRSS``) of process ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@dataclass
class Server:
    """A served app: base URL, process id, log file."""

    url: str
    pid: int
    log: Path

    @property
    def host_port(self) -> tuple[str, int]:
        """(host, port) of the base URL."""
        netloc = self.url.split("://", 1)[1]
        host, port = netloc.rsplit(":", 1)
        return host, int(port)

    def cpu(self) -> float:
        """The server's CPU seconds so far."""
        return proc_cpu_seconds(self.pid)

    def rss_mb(self) -> float:
        """The server's resident memory now, MiB."""
        return proc_rss_mb(self.pid)


@contextlib.contextmanager
def serve(db: Path, mode: str = "public", log: Path | None = None, extra_env: dict[str, str] | None = None,
          script: str = "serve.py", python: str = sys.executable, timeout: float = 90) -> Iterator[Server]:
    """Serve ``script`` (app.py behind the HTTP guards) on a free loopback port against ``db`` in ``mode``
    (in public mode ``db`` is a published file, served as ``ATLAS_PUBLIC_DB``).

    The server is ``python -m streamlit run`` itself (one process, no children), so its pid is the process
    whose CPU and memory the load test reads. Terminated on exit.
    """
    port = free_port()
    # public mode serves only a published file (python -m geo publish); ``db`` is that file then
    target = "ATLAS_PUBLIC_DB" if mode == "public" else "ATLAS_DB"
    env = {**os.environ, target: str(db), "ATLAS_MODE": mode, "ATLAS_AUTH": "off", **(extra_env or {})}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    log = log or ROOT / "test-artifacts" / "load-server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [python, "-m", "streamlit", "run", str(ROOT / script), "--server.headless", "true",
             "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + timeout
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                        if resp.read().strip() == b"ok":
                            break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        msg = f"the app did not start within {timeout:.0f} s; see {log}"
                        raise RuntimeError(msg) from None
                    time.sleep(0.3)
            yield Server(url, proc.pid, log)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


# ---------------------------------------------------------------------------------------------
# The protocol client


@dataclass
class RunResult:
    """One script run as the client saw it."""

    seconds: float = 0.0
    messages: int = 0
    bytes: int = 0
    map_bytes: int = 0
    has_map: bool = False
    status: str = ""


@dataclass
class SessionResult:
    """One session: HTTP shell, page load, filter change; errors (empty when correct)."""

    ok: bool = False
    errors: list[str] = field(default_factory=list)
    http_s: float = 0.0
    open: RunResult = field(default_factory=RunResult)
    change: RunResult = field(default_factory=RunResult)
    total_s: float = 0.0


async def _http_get(host: str, port: int, path: str, cookies: dict[str, str]) -> tuple[int, dict[str, list[str]], bytes]:
    """A minimal HTTP/1.1 GET (Connection: close); returns status, headers (lower-case, every value), body."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        head = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", "Accept-Encoding: gzip, deflate",
                "User-Agent: atlas-load/1", "Connection: close"]
        if cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()))
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()
    header_blob, _, body = raw.partition(b"\r\n\r\n")
    lines = header_blob.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return status, headers, body


def _widget_value(kind: str, proto: Any) -> tuple[str, Any] | None:
    """The (WidgetState field, value) the frontend holds for a widget right after it is drawn, or None."""
    if kind == "date_input":
        return "string_array_value", list(proto.value) or list(proto.default)
    if kind == "multiselect":
        return "string_array_value", list(proto.raw_values) or [proto.options[i] for i in proto.default]
    if kind == "slider":
        if proto.type == proto.SELECT_SLIDER:  # values travel as the formatted option texts
            raw = list(proto.raw_value) or [proto.options[int(i)] for i in (proto.value or proto.default)]
            return "string_array_value", raw
        return "double_array_value", list(proto.value) or list(proto.default)
    if kind in ("radio", "selectbox"):
        raw = proto.raw_value or (proto.options[proto.default] if proto.options else "")
        return "string_value", raw
    if kind == "checkbox":
        return "bool_value", bool(proto.value if proto.set_value else proto.default)
    return None


def _set_widget(states: Any, widget_id: str, kind: str, value: Any) -> None:
    w = states.widgets.add()
    w.id = widget_id
    if kind == "string_array_value":
        w.string_array_value.data.extend(value)
    elif kind == "double_array_value":
        w.double_array_value.data.extend(value)
    elif kind == "string_value":
        w.string_value = value
    elif kind == "bool_value":
        w.bool_value = value
    else:  # pragma: no cover - _widget_value returns only the kinds above
        msg = f"unsupported widget state {kind}"
        raise ValueError(msg)


class ProtocolSession:
    """One browser tab's Streamlit session, spoken over the websocket without a browser."""

    def __init__(self, base_url: str, page: str, query: str = "", timeout: float = 120.0) -> None:
        """A session on ``page`` (a ``PAGE_PATHS`` name) of the app at ``base_url``."""
        self.host, port = base_url.split("://", 1)[1].rsplit(":", 1)
        self.port = int(port)
        self.page = page
        self.path = PAGE_PATHS.get(page, page)  # what the browser's address bar holds, and sends as page_name
        self.query = query.lstrip("?")
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.widgets: dict[str, tuple[str, Any]] = {}  # widget id → (element kind, proto)
        self.cached_hashes: set[str] = set()
        self.map_hashes: set[str] = set()
        self.result = SessionResult()

    def _url(self) -> str:
        return f"http://{self.host}:{self.port}/{self.path}" + (f"?{self.query}" if self.query else "")

    def _client_state(self, widget_states: Any | None = None) -> Any:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_name = self.path
        cs.widget_states.SetInParent()
        if widget_states is not None:
            cs.widget_states.CopyFrom(widget_states)
        cs.cached_message_hashes.extend(sorted(self.cached_hashes))
        ci = cs.context_info
        ci.timezone, ci.timezone_offset, ci.locale = "UTC", 0, "en-US"
        ci.url, ci.is_embedded, ci.color_scheme = self._url(), False, "light"
        return msg

    async def _http(self) -> None:
        for path in (f"/{self.path}" + (f"?{self.query}" if self.query else ""), "/_stcore/health",
                     "/_stcore/host-config"):
            status, headers, _ = await _http_get(self.host, self.port, path, self.cookies)
            if status != 200:
                msg = f"HTTP {status} for {path}"
                raise RuntimeError(msg)
            for cookie in headers.get("set-cookie", []):
                name, _, rest = cookie.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]

    async def _run(self, ws: Any, back_msg: Any, out: RunResult) -> None:
        """Send ``back_msg``; read ForwardMsgs until this run's successful ``script_finished``."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        t0 = time.perf_counter()
        await ws.send(back_msg.SerializeToString())
        while True:
            raw = await asyncio.wait_for(ws.recv(), timeout=self.timeout)
            out.messages += 1
            out.bytes += len(raw)
            msg = ForwardMsg()
            msg.ParseFromString(raw)
            kind = msg.WhichOneof("type")
            if msg.metadata.cacheable and msg.hash:
                self.cached_hashes.add(msg.hash)
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                el = msg.delta.new_element
                el_kind = el.WhichOneof("type")
                if el_kind == "exception":
                    self.result.errors.append(f"exception element: {el.exception.type}: {el.exception.message[:200]}")
                elif el_kind == "component_instance":
                    ci = el.component_instance
                    if ci.component_name == MAP_COMPONENT and json.loads(ci.json_args or "{}").get("script"):
                        out.has_map = True
                        out.map_bytes = len(raw)
                        self.map_hashes.add(msg.hash)
                elif el_kind is not None:
                    proto = getattr(el, el_kind)
                    widget_id = getattr(proto, "id", "")
                    if isinstance(widget_id, str) and widget_id.startswith("$$ID-"):
                        self.widgets[widget_id] = (el_kind, proto)
            elif kind == "ref_hash":  # an element the client already holds (sent by hash)
                if msg.ref_hash in self.map_hashes:
                    out.has_map = True
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                self.result.errors.append(f"page_not_found {msg.page_not_found.page_name!r}")
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                if status == "FINISHED_EARLY_FOR_RERUN":
                    continue  # the app asked for a rerun (st.rerun / a widget callback): keep reading
                out.status = status
                out.seconds = time.perf_counter() - t0
                if status != "FINISHED_SUCCESSFULLY":
                    self.result.errors.append(f"script finished: {status}")
                return

    def _change_states(self, change: Change) -> Any:
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        states = WidgetStates()
        target = [wid for wid in self.widgets if wid.endswith(f"-{change.widget_key}")]
        if not target:
            msg = f"no widget with key {change.widget_key!r} on {self.page}"
            raise RuntimeError(msg)
        for wid, (kind, proto) in self.widgets.items():
            value = change.choose(proto) if wid == target[0] else _widget_value(kind, proto)
            if value is not None:
                _set_widget(states, wid, *value)
        return states

    async def run(self, change: Change | None) -> SessionResult:
        """HTTP shell, page load, then ``change`` (None: page load only); never raises."""
        import websockets

        res = self.result
        t_start = time.perf_counter()
        try:
            await self._http()
            res.http_s = time.perf_counter() - t_start
            t_ws = time.perf_counter()
            token = self.cookies.get("_streamlit_xsrf", PLACEHOLDER_TOKEN)
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
            async with websockets.connect(
                f"ws://{self.host}:{self.port}/_stcore/stream", subprotocols=["streamlit", token],
                origin=f"http://{self.host}:{self.port}", additional_headers=headers, max_size=None,
                open_timeout=self.timeout, ping_interval=None,
            ) as ws:
                await self._run(ws, self._client_state(), res.open)
                res.open.seconds = time.perf_counter() - t_ws  # the page load counts the handshake too
                if not res.open.has_map:
                    res.errors.append("page load: no map element")
                if change is not None and not res.errors:
                    await self._run(ws, self._client_state(self._change_states(change)), res.change)
                    if not res.change.has_map:
                        res.errors.append("filter change: no map element")
        except TimeoutError:
            res.errors.append(f"timeout after {self.timeout:.0f} s")
        except Exception as exc:  # a disconnect, a refused connection, a protocol error: all count
            res.errors.append(f"{type(exc).__name__}: {exc}"[:300])
        res.total_s = time.perf_counter() - t_start
        res.ok = not res.errors
        return res


async def protocol_sessions(base_url: str, page: str, n: int, *, change: bool = True, query: str = "",
                            timeout: float = 120.0) -> list[SessionResult]:
    """``n`` protocol sessions started at once on ``page``; their results in start order."""
    chg = CHANGES.get(page) if change else None
    sessions = [ProtocolSession(base_url, page, query, timeout) for _ in range(n)]
    return list(await asyncio.gather(*(s.run(chg) for s in sessions)))


# ---------------------------------------------------------------------------------------------
# Real browsers


@dataclass
class BrowserResult:
    """One Chromium session (fresh context: empty HTTP cache, as a new visitor): time to a drawn map."""

    ok: bool = False
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0
    #: CPU seconds the browsers used per session in this phase (see ``browser_sessions``).
    client_cpu_s: float = 0.0
    #: Same-origin (path, status) of every HTTP response the page got (for the replay phase).
    paths: list[tuple[str, int]] = field(default_factory=list)


MAP_DRAWN_JS = """() => {
  for (const c of document.querySelectorAll('.leaflet-container')) {
    if (c.querySelectorAll('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas, canvas.leaflet-heatmap-layer,'
        + ' .leaflet-marker-pane > *').length > 0) return true;
  }
  return false;
}"""


async def _browser_session(browser: Any, url: str, timeout: float) -> tuple[BrowserResult, Any]:
    res = BrowserResult()
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page_errors: list[str] = []
    page.on("pageerror", lambda exc: page_errors.append(str(exc)[:200]))

    origin = url.split("://", 1)[0] + "://" + url.split("://", 1)[1].split("/", 1)[0]

    def on_response(resp: Any) -> None:
        res.requests += 1
        with contextlib.suppress(Exception):
            res.bytes += int(resp.headers.get("content-length", "0"))
        if resp.url.startswith(origin + "/"):
            res.paths.append((resp.url[len(origin):], resp.status))

    page.on("response", on_response)
    t0 = time.perf_counter()
    try:
        await page.goto(url, wait_until="commit", timeout=timeout * 1000)
        deadline = t0 + timeout
        while True:
            drawn = False
            for frame in page.frames:
                with contextlib.suppress(Exception):
                    if await frame.evaluate(MAP_DRAWN_JS):
                        drawn = True
                        break
            if drawn:
                break
            if time.perf_counter() > deadline:
                res.errors.append(f"no map drawn within {timeout:.0f} s")
                break
            await asyncio.sleep(0.1)
        res.seconds = time.perf_counter() - t0
        if await page.locator('[data-testid="stException"]').count():
            res.errors.append("exception element on the page")
    except Exception as exc:
        res.errors.append(f"{type(exc).__name__}: {exc}"[:300])
        res.seconds = time.perf_counter() - t0
    res.errors.extend(f"page error: {e}" for e in page_errors)
    res.ok = not res.errors
    return res, context


def _descendants_cpu() -> float:
    """CPU seconds of every live descendant of this process (Playwright's driver, Chromium's processes)."""
    import psutil

    total = 0.0
    for child in psutil.Process().children(recursive=True):
        with contextlib.suppress(psutil.Error):
            t = child.cpu_times()
            total += t.user + t.system
    return total


async def browser_sessions(url: str, n: int, timeout: float = 180.0) -> list[BrowserResult]:
    """``n`` Chromium sessions opened at once (one browser process, a fresh context each).

    Each result's ``client_cpu_s`` is the browsers' CPU seconds over the phase (every Chromium process and the
    Playwright driver, read before the contexts close) divided by ``n``.
    """
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            c0 = _descendants_cpu()
            pairs = await asyncio.gather(*(_browser_session(browser, url, timeout) for _ in range(n)))
            client_cpu = (_descendants_cpu() - c0) / max(1, n)
            for res, context in pairs:
                res.client_cpu_s = round(client_cpu, 3)
                await context.close()
            return [res for res, _ in pairs]
        finally:
            await browser.close()


# ---------------------------------------------------------------------------------------------
# Phases and figures


def _pct(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank, q in 0..100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[k]


def _summary(values: list[float]) -> dict[str, float | None]:
    r = lambda v: None if v is None else round(v, 3)  # noqa: E731
    return {"n": len(values), "p50": r(_pct(values, 50)), "p95": r(_pct(values, 95)), "max": r(max(values, default=None)),
            "mean": r(statistics.fmean(values)) if values else None}


def _phase(kind: str, results: list[Any], wall: float, cpu: float, **extra: Any) -> dict[str, Any]:
    n = len(results)
    errors = [e for r in results for e in r.errors]
    out: dict[str, Any] = {"kind": kind, "sessions": n, "wall_s": round(wall, 3), "server_cpu_s": round(cpu, 3),
                           "server_cpu_s_per_session": round(cpu / n, 4) if n else None,
                           "errors": len([r for r in results if r.errors]), "error_messages": sorted(set(errors))[:20]}
    if results and isinstance(results[0], SessionResult):
        out["open_s"] = _summary([r.open.seconds for r in results if r.ok])
        out["change_s"] = _summary([r.change.seconds for r in results if r.ok and r.change.status])
        out["session_s"] = _summary([r.total_s for r in results if r.ok])
        out["http_s"] = _summary([r.http_s for r in results if r.ok])
        out["map_bytes"] = max((r.open.map_bytes for r in results), default=0)
        out["bytes_per_session"] = round(statistics.fmean(r.open.bytes + r.change.bytes for r in results)) if n else 0
    elif results and isinstance(results[0], BrowserResult):
        out["map_drawn_s"] = _summary([r.seconds for r in results if r.ok])
        out["requests_per_session"] = round(statistics.fmean(r.requests for r in results), 1)
        out["browser_cpu_s_per_session"] = results[0].client_cpu_s
    elif results:
        out["replay_s"] = _summary([r.seconds for r in results if r.ok])
        out["requests_per_session"] = round(statistics.fmean(r.requests for r in results), 1)
        out["bytes_per_session"] = round(statistics.fmean(r.bytes for r in results))
    out.update(extra)
    return out


@dataclass
class ReplayResult:
    """One replay of the HTTP requests a new browser made (the page shell and every static file)."""

    ok: bool = False
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    bytes: int = 0


async def replay_http(base_url: str, paths: list[tuple[str, int]], parallel: int = 6) -> ReplayResult:
    """GET every path (gzip accepted, ``parallel`` at a time like a browser's per-host limit); an answer
    other than the one the browser got is an error (the frontend's probe of ``/<page>/_stcore/health``
    is a 404 for the browser too)."""
    host, port = base_url.split("://", 1)[1].rsplit(":", 1)
    res = ReplayResult()
    sem = asyncio.Semaphore(parallel)

    async def one(path: str, expected: int) -> None:
        async with sem:
            status, _, body = await _http_get(host, int(port), path, {})
            res.requests += 1
            res.bytes += len(body)
            if status != expected and not (expected == 304 and status == 200):
                res.errors.append(f"HTTP {status} for {path} (the browser got {expected})")

    t0 = time.perf_counter()
    try:
        await asyncio.gather(*(one(p, st) for p, st in paths))
    except Exception as exc:
        res.errors.append(f"{type(exc).__name__}: {exc}"[:300])
    res.seconds = time.perf_counter() - t0
    res.ok = not res.errors
    return res


async def _replays(base_url: str, paths: list[tuple[str, int]], n: int) -> list[ReplayResult]:
    return [await replay_http(base_url, paths) for _ in range(n)]


async def _measure(server: Server, coro: Any) -> tuple[list[Any], float, float]:
    c0, t0 = server.cpu(), time.perf_counter()
    results = await coro
    return results, time.perf_counter() - t0, server.cpu() - c0


async def _sequential(server: Server, page: str, n: int, change: bool, timeout: float) -> list[SessionResult]:
    out: list[SessionResult] = []
    chg = CHANGES.get(page) if change else None
    for _ in range(n):
        out.append(await ProtocolSession(server.url, page, timeout=timeout).run(chg))
    return out


@dataclass(frozen=True)
class LoadOptions:
    """What to run: page, concurrency, sequential sessions, browsers, repeats."""

    page: str = "density"
    sessions: int = 20
    sequential: int = 500
    warm_loads: int = 10
    browsers: int = 3
    repeat: int = 3
    timeout: float = 120.0


async def run_phases(server: Server, opt: LoadOptions, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Every phase against a running server; returns the JSON document's ``phases`` and figures."""
    phases: dict[str, Any] = {}
    page = opt.page

    log(f"cold: 1 session on /{PAGE_PATHS[page]} (empty caches)")
    res, wall, cpu = await _measure(server, protocol_sessions(server.url, page, 1, timeout=opt.timeout))
    phases["cold"] = _phase("protocol", res, wall, cpu)

    if opt.warm_loads:
        log(f"warm page loads: {opt.warm_loads} sessions one at a time, page load only")
        res, wall, cpu = await _measure(server, _sequential(server, page, opt.warm_loads, False, opt.timeout))
        phases["warm_page_loads"] = _phase("protocol", res, wall, cpu)
        log(f"warm sessions: {opt.warm_loads} one at a time, page load + filter change")
        res, wall, cpu = await _measure(server, _sequential(server, page, opt.warm_loads, True, opt.timeout))
        phases["warm_sessions"] = _phase("protocol", res, wall, cpu)

    if opt.sessions:
        for i in range(max(1, opt.repeat)):
            log(f"concurrent #{i + 1}: {opt.sessions} sessions at once")
            res, wall, cpu = await _measure(
                server, protocol_sessions(server.url, page, opt.sessions, timeout=opt.timeout))
            phases[f"concurrent_{i + 1}"] = _phase("protocol", res, wall, cpu)

    if opt.browsers:
        url = f"{server.url}/{PAGE_PATHS[page]}"
        log("browser: 1 Chromium session alone")
        res, wall, cpu = await _measure(server, browser_sessions(url, 1))
        phases["browser_1"] = _phase("browser", res, wall, cpu)
        paths = res[0].paths if res else []
        if paths:
            log(f"static replay: the {len(paths)} HTTP requests of that browser, 5 times (no websocket)")
            rep, wall, cpu = await _measure(server, _replays(server.url, paths, 5))
            phases["http_replay"] = _phase("http", rep, wall, cpu)
        log(f"browsers: {opt.browsers} Chromium sessions at once")
        res, wall, cpu = await _measure(server, browser_sessions(url, opt.browsers))
        phases["browsers"] = _phase("browser", res, wall, cpu)
        if opt.sessions:
            log(f"mixed: {opt.browsers} Chromium sessions alongside {opt.sessions} protocol sessions")
            c0, t0 = server.cpu(), time.perf_counter()
            b_res, p_res = await asyncio.gather(
                browser_sessions(url, opt.browsers),
                protocol_sessions(server.url, page, opt.sessions, timeout=opt.timeout))
            wall, cpu = time.perf_counter() - t0, server.cpu() - c0
            phases["mixed_browsers"] = _phase("browser", b_res, wall, cpu)
            phases["mixed_protocol"] = _phase("protocol", p_res, wall, cpu,
                                              note="server CPU of the whole mixed phase, not only these sessions")

    if opt.sequential:
        log(f"sequential: {opt.sequential} sessions one after another (memory)")
        rss0 = server.rss_mb()
        res, wall, cpu = await _measure(server, _sequential(server, page, opt.sequential, True, opt.timeout))
        rss1 = server.rss_mb()
        phases["sequential"] = _phase("protocol", res, wall, cpu, rss_before_mb=round(rss0, 1),
                                      rss_after_mb=round(rss1, 1), rss_growth_mb=round(rss1 - rss0, 1))
    return phases


def figures(phases: dict[str, Any]) -> dict[str, Any]:
    """The headline figures compared with the targets."""
    conc = [p for k, p in phases.items() if k.startswith("concurrent_")]
    p95s = [max(v for v in (p["open_s"]["p95"], p["change_s"]["p95"]) if v is not None)
            for p in conc if p["open_s"]["n"]]
    out: dict[str, Any] = {
        "cpu_s_per_page_load_warm": (phases.get("warm_page_loads") or {}).get("server_cpu_s_per_session"),
        "cpu_s_per_session_warm": (phases.get("warm_sessions") or {}).get("server_cpu_s_per_session"),
        # Worst repeat of the worse of the two runs (page load, filter change): each is one script run.
        "concurrent_p95_s": max(p95s) if p95s else None,
        "concurrent_session_p95_s": max((p["session_s"]["p95"] for p in conc if p["session_s"]["n"]), default=None),
        "errors": sum(p["errors"] for p in phases.values()),
        "memory_growth_mb": (phases.get("sequential") or {}).get("rss_growth_mb"),
    }
    return out


def status(figs: dict[str, Any]) -> dict[str, str]:
    """pass / MISS / n/a per target."""
    out: dict[str, str] = {}
    for key, (op, target) in TARGETS.items():
        value = figs.get(key)
        if value is None:
            out[key] = "n/a"
        else:
            out[key] = "pass" if (value <= target if op == "<=" else value >= target) else "MISS"
    return out


def format_table(doc: dict[str, Any]) -> str:
    """Phases, then figures against targets, as plain text."""
    lines = [f"{'phase':<18} {'n':>4} {'err':>4} {'p50 s':>7} {'p95 s':>7} {'max s':>7} {'CPU-s/sess':>10} {'wall s':>7}"]
    for name, p in doc["phases"].items():
        s = p.get("open_s") or p.get("map_drawn_s") or p.get("replay_s") or {}
        lines.append(f"{name:<18} {p['sessions']:>4} {p['errors']:>4} {_f(s.get('p50'))} {_f(s.get('p95'))} "
                     f"{_f(s.get('max'))} {_f(p['server_cpu_s_per_session'], 10)} {_f(p['wall_s'])}")
        if p.get("browser_cpu_s_per_session") is not None:
            lines.append(f"{'  (Chromium)':<18} {'':>4} {'':>4} {'':>7} {'':>7} {'':>7} "
                         f"{_f(p['browser_cpu_s_per_session'], 10)}")
        if p.get("change_s", {}).get("n"):
            c = p["change_s"]
            lines.append(f"{'  filter change':<18} {'':>4} {'':>4} {_f(c['p50'])} {_f(c['p95'])} {_f(c['max'])}")
    lines.append("(protocol: page load = connect → script_finished; browsers: navigation → map drawn; "
                 "http_replay: a new browser's HTTP requests without the websocket)")
    lines.append("")
    for key, (op, target) in TARGETS.items():
        lines.append(f"{key:<28} {_f(doc['figures'].get(key), 9)}  target {op} {target:g}  {doc['status'][key]}")
    for key in ("cpu_s_per_session_warm", "concurrent_session_p95_s"):
        lines.append(f"{key:<28} {_f(doc['figures'].get(key), 9)}")
    return "\n".join(lines)


def _f(v: float | None, width: int = 7) -> str:
    return f"{'—':>{width}}" if v is None else f"{v:>{width}.3f}"


def machine() -> dict[str, Any]:
    """Cores, load and versions: the context every figure needs."""
    from importlib.metadata import version

    return {"cores": os.cpu_count(), "loadavg_at_start": os.getloadavg(), "python": platform.python_version(),
            "streamlit": version("streamlit"), "streamlit-folium": version("streamlit-folium"),
            "websockets": version("websockets")}


def main(argv: list[str] | None = None) -> int:
    """``python -m bench.load``: serve the app (or use ``--url``), run the phases, print and write JSON."""
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("ATLAS_DB", "data/atlas.duckdb")))
    ap.add_argument("--mode", default="public", choices=("public", "officials"))
    ap.add_argument("--url", help="use a running server (CPU and memory then need --pid)")
    ap.add_argument("--pid", type=int, help="process id of the --url server")
    ap.add_argument("--page", default="density", choices=sorted(CHANGES))
    ap.add_argument("--sessions", "-n", type=int, default=int(os.environ.get("LOAD_N", 20)))
    ap.add_argument("--sequential", type=int, default=int(os.environ.get("LOAD_SEQ", 500)))
    ap.add_argument("--warm-loads", type=int, default=10)
    ap.add_argument("--browsers", type=int, default=int(os.environ.get("LOAD_BROWSERS", 3)))
    ap.add_argument("--repeat", type=int, default=3, help="repeats of the concurrent phase")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds one script run may take")
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "load-latest.json")
    args = ap.parse_args(argv)
    opt = LoadOptions(page=args.page, sessions=args.sessions, sequential=args.sequential, warm_loads=args.warm_loads,
                      browsers=args.browsers, repeat=args.repeat, timeout=args.timeout)

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    started = datetime.now(UTC).isoformat(timespec="seconds")
    mach = machine()
    if args.url:
        if not args.pid:
            ap.error("--url needs --pid (the server process whose CPU and memory are read)")
        phases = asyncio.run(run_phases(Server(args.url.rstrip("/"), args.pid, Path("-")), opt, log))
        rss_start = None
    else:
        if not args.db.exists():
            print(f"no database at {args.db}: build it with `make build`", file=sys.stderr)
            return 2
        with serve(args.db, args.mode) as server:
            rss_start = server.rss_mb()
            log(f"serving {args.db} ({args.mode}) at {server.url}, pid {server.pid}, {rss_start:.0f} MB")
            phases = asyncio.run(run_phases(server, opt, log))
    figs = figures(phases)
    doc = {"started": started, "db": str(args.db), "mode": args.mode, "options": asdict(opt),
           "machine": mach, "server_rss_at_start_mb": rss_start, "figures": figs, "targets": TARGETS,
           "status": status(figs), "phases": phases}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(doc, indent=2, default=str) + "\n")
    print(format_table(doc))
    print(f"\nwritten {args.json}")
    return 0 if figs["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
