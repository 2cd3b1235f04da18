"""A real browser (Debian Chromium, no internet) sees every page draw its maps, with no errors."""

from __future__ import annotations

import urllib.request

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import leaflet_maps, map_stats, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CDN_HOSTS = ("cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "netdna.bootstrapcdn.com")


def test_health_endpoint_answers_ok(app_url) -> None:
    with urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=5) as resp:
        assert resp.read().strip() == b"ok"


def test_atlas_map_draws_offline(page, app_url) -> None:
    page.goto(app_url)
    wait_for_app(page)
    maps = leaflet_maps(page)
    assert maps, f"no Leaflet map drew; page errors: {page.errors}"
    stats = map_stats(maps[0])
    assert stats["width"] > 300 and stats["height"] > 300
    assert stats["paths"] + stats["canvases"] > 0
    assert stats["legend"] == 1 and stats["layers_control"] == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.errors == []
    # Leaflet and plugins came from the app itself: nothing was asked of a CDN (tiles may be tried)
    assert not [u for u in page.outside if any(h in u for h in CDN_HOSTS)]
    page.screenshot(path=str(SCREENSHOTS / "atlas_map.png"), full_page=True)
