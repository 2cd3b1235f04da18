"""The static file server exposes nothing outside its folder: traversal attempts against a served app find nothing.

``/app/static/...`` serves the map assets from ``static/`` (Streamlit's ``server.enableStaticServing``).
Requests are sent byte for byte with ``http.client`` (no client-side normalisation of ``..`` or escapes);
each must fail (400/404) and no answer may carry a file from outside ``static/``: the repository's own
files, ``/etc/passwd``, or the local accounts file. Nothing was found on 2026-12-06 (Streamlit 1.67):
this test keeps it that way across upgrades.
"""

from __future__ import annotations

import http.client
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from geo.settings import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Fragments of files outside static/: pyproject.toml, app.py, /etc/passwd, an accounts file, a DuckDB file.
MARKERS = (b"[project]", b"st.navigation", b"root:x:0:0", b"$argon2", b"DUCK")

TRAVERSALS = [
    "/app/static/../pyproject.toml",
    "/app/static/../../pyproject.toml",
    "/app/static/leaflet/../../app.py",
    "/app/static/%2e%2e/pyproject.toml",
    "/app/static/%2E%2E/app.py",
    "/app/static/.%2e/pyproject.toml",
    "/app/static/%2e%2e%2fpyproject.toml",
    "/app/static/..%2fpyproject.toml",
    "/app/static/..%2f..%2fetc%2fpasswd",
    "/app/static/%252e%252e/pyproject.toml",
    "/app/static/%c0%ae%c0%ae/pyproject.toml",
    "/app/static/..%5cpyproject.toml",
    "/app/static/\\..\\pyproject.toml",
    "/app/static/....//pyproject.toml",
    "/app/static/..;/pyproject.toml",
    "/app/static/%00../pyproject.toml",
    "/app/static//etc/passwd",
    "/app/static/%2fetc%2fpasswd",
    "/app/static/../../../../../../../../etc/passwd",
    "/app/static/~/.config/tourism-atlas/users.json",
    "/app/static/../data/atlas.duckdb",
    "/static/../pyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/component/streamlit_folium.st_folium/../../../../pyproject.toml",
    "/component/streamlit_folium.st_folium/%2e%2e/%2e%2e/%2e%2e/%2e%2e/pyproject.toml",
    "/media/../pyproject.toml",
    "/media/%2e%2e/%2e%2e/pyproject.toml",
    "/pyproject.toml",
    "/app.py",
    "/.streamlit/config.toml",
]


def _raw_get(base: str, path: str) -> tuple[int, bytes]:
    parts = urlsplit(base)
    con = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        con.putrequest("GET", path, skip_accept_encoding=True)
        con.endheaders()
        resp = con.getresponse()
        return resp.status, resp.read()
    finally:
        con.close()


def test_static_assets_are_served(app_url) -> None:
    status, body = _raw_get(app_url, "/app/static/leaflet/leaflet.js")
    assert status == 200 and b"Leaflet" in body[:2000]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_nothing_outside_the_static_folder_is_served(app_url, path: str) -> None:
    status, body = _raw_get(app_url, path)
    leaked = [m for m in MARKERS if m in body]
    assert leaked == [], f"{path} → {status}: {body[:200]!r}"
    if path.startswith(("/app/static/", "/static/", "/component/", "/media/")):
        assert status in (400, 403, 404), (path, status)


def test_a_symlink_out_of_the_static_folder_is_refused(tmp_path: Path) -> None:
    """Streamlit's resolver for /app/static (and components) follows links only within the folder."""
    from streamlit.web.server.component_file_utils import build_safe_abspath

    root = tmp_path / "static"
    root.mkdir()
    (root / "ok.js").write_text("ok", encoding="utf-8")
    (root / "out").symlink_to(ROOT / "pyproject.toml")
    (root / "up").symlink_to(ROOT)
    assert build_safe_abspath(str(root), "ok.js") == str((root / "ok.js").resolve())
    for path in ("out", "up/pyproject.toml", "../static/out", "/etc/passwd"):
        assert build_safe_abspath(str(root), path) is None, path
