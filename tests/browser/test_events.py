"""A real browser sees the Events page draw its change map (diverging legend) and charts, with no errors."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import leaflet_maps, map_stats, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_events_page_draws_the_change_map(page, app_url) -> None:
    page.goto(f"{app_url}/events?event=2025-11-05-yi-peng-and-loy-krathong-2025")
    wait_for_app(page)
    page.get_by_text("Change per H3 cell").wait_for(timeout=60_000)
    maps = leaflet_maps(page)
    assert maps, f"no Leaflet map drew; page errors: {page.errors}"
    stats = map_stats(maps[0])
    assert stats["width"] > 300 and stats["height"] > 300
    assert stats["paths"] + stats["canvases"] > 0
    assert stats["legend"] == 1 and stats["layers_control"] == 1
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
    assert page.errors == []
    page.screenshot(path=str(SCREENSHOTS / "events.png"), full_page=True)
