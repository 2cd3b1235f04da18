"""A real browser on the public view (ATLAS_MODE=public): the published file's six pages, no way to the others."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, serve_app
from tests.browser.helpers import leaflet_maps, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: Page address → (title, Leaflet maps it draws on the published session file).
PUBLIC = {
    "overview": ("Overview", 0),
    "density": ("Visitor density", 1),
    "flows": ("Flows and routes", 1),
    "capacity": ("Accommodation and capacity", 1),
    "places": ("Places", 1),
}


@pytest.fixture(scope="module")
def public_url(atlas_db: Path, public_db: Path) -> Iterator[str]:
    """The app served in public mode on the published session file (its own server process). ATLAS_DB names the
    officials' database to show that public mode never opens it."""
    env = {"ATLAS_MODE": "public", "ATLAS_PUBLIC_DB": str(public_db)}
    with serve_app(atlas_db, "streamlit-public.log", env) as url:
        yield url


def _nav(page) -> str:
    return page.locator('[data-testid="stSidebarNav"]').inner_text()


def test_public_view_lists_the_public_pages(page, public_url) -> None:
    page.goto(public_url)
    wait_for_app(page)
    nav = _nav(page).splitlines()
    for shown in ("Atlas map", *(title for title, _ in PUBLIC.values())):
        assert shown in nav, (shown, nav)
    assert "Data" not in nav
    assert leaflet_maps(page), f"the landing map did not draw; page errors: {page.errors}"
    assert page.get_by_text("Months").count() >= 1  # a month range, not dates
    assert page.errors == []


def test_public_view_does_not_serve_the_data_page_by_address(page, public_url) -> None:
    page.goto(f"{public_url}/data")
    wait_for_app(page)
    assert page.get_by_role("heading", name="Tourism Atlas · Chiang Mai").count() == 1  # the landing page
    assert page.get_by_text("Data-quality notes").count() == 0
    assert page.get_by_text("Tables loaded").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


@pytest.mark.parametrize("path", list(PUBLIC))
def test_public_pages_draw_from_the_published_file(page, public_url, path) -> None:
    title, maps = PUBLIC[path]
    page.goto(f"{public_url}/{path}")
    wait_for_app(page)
    assert page.get_by_role("heading", name=title).count() >= 1, path
    if maps:
        assert len(leaflet_maps(page, expected=maps)) >= maps, f"{path}: map did not draw; errors: {page.errors}"
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert page.errors == []
    assert not page.outside or all("tile" in u or "openstreetmap" in u for u in page.outside), page.outside
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"public_{path}.png"), full_page=True)


def test_public_density_shows_zone_figures_not_officials_summaries(page, public_url) -> None:
    page.goto(f"{public_url}/density")
    wait_for_app(page)
    page.get_by_text("People present by tourism zone").first.wait_for(timeout=60_000)
    assert page.get_by_text("Visitors (people-days)").count() == 0
    assert page.get_by_text("Season or month").count() == 0
