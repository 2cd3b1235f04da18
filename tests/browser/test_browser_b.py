"""A real browser (Debian Chromium, no internet) opens the flows, capacity, places and data pages: maps draw, no errors."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import leaflet_maps, map_stats, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROUTE = "att-wat-phra-singh,att-wat-chedi-luang,att-tha-phae-gate"

#: page url path with page-specific URL state → (screenshot name, fewest Leaflet maps, text the view must show)
CASES = {
    # route map always; the corridor map too once the database has flows
    f"flows?route={ROUTE}": ("flows", 1, "straight-line (no road network imported)"),
    "capacity?attraction=att-wat-phra-singh&km=3": ("capacity", 1, "Accommodation within 3 km"),
    "places?q=wat&place=att-wat-phra-singh": ("places", 1, "วัดพระสิงห์วรมหาวิหาร"),
    "data": ("data", 0, "Data-quality notes"),
}

#: st_folium's component frames (one per map on the page)
FOLIUM_FRAME = 'iframe[title="streamlit_folium.st_folium"]'


def _open(page, url: str) -> None:
    """Go to ``url`` and wait until the page's last element (the provenance caption) has rendered."""
    page.goto(url)
    page.get_by_text("Sources: see the Data page").first.wait_for(timeout=90_000)
    wait_for_app(page)


@pytest.mark.parametrize("path", list(CASES), ids=[v[0] for v in CASES.values()])
def test_page_b_draws_in_browser(page, app_url, path) -> None:
    name, fewest, text = CASES[path]
    _open(page, f"{app_url}/{path}")
    frames = page.locator(FOLIUM_FRAME).count()
    assert frames >= fewest, f"{name}: expected at least {fewest} maps, found {frames}"
    maps = leaflet_maps(page, expected=frames) if frames else []
    assert len(maps) == frames, f"{name}: {frames} map frames but {len(maps)} drew; page errors: {page.errors}"
    for handle in maps:
        stats = map_stats(handle)
        assert stats["width"] > 200 and stats["height"] > 200, stats
        assert stats["paths"] + stats["canvases"] + stats["markers"] > 0, stats
        assert stats["legend"] >= 1 and stats["layers_control"] == 1, stats
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.errors == [], page.errors
    # the copied URL restored the view: its page-specific state is shown and kept in the address
    assert page.get_by_text(text).count() > 0, f"{name}: {text!r} not shown"
    assert path.split("?")[-1].split("&")[0] in page.url.replace("%2C", ","), page.url
    nav = page.locator('[data-testid="stSidebarNav"]').inner_text()
    assert "Accommodation and capacity" in nav, f"app.py navigation not used: {nav!r}"
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
