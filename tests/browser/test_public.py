"""A real browser on the public view (ATLAS_MODE=public): only the floored pages, no way to the others."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, serve_app
from tests.browser.helpers import leaflet_maps, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def public_url(atlas_db: Path) -> Iterator[str]:
    """The app served in public mode against the session database (its own server process)."""
    with serve_app(atlas_db, "streamlit-public.log", {"ATLAS_MODE": "public"}) as url:
        yield url


def _nav(page) -> str:
    return page.locator('[data-testid="stSidebarNav"]').inner_text()


def test_public_view_lists_only_the_public_pages(page, public_url) -> None:
    page.goto(public_url)
    wait_for_app(page)
    nav = _nav(page)
    assert "Atlas map" in nav and "Visitor density" in nav, nav
    for hidden in ("Overview", "Flows and routes", "Accommodation and capacity", "Places", "Data"):
        assert hidden not in nav.splitlines(), (hidden, nav)
    assert leaflet_maps(page), f"the landing map did not draw; page errors: {page.errors}"
    assert page.errors == []


@pytest.mark.parametrize("path", ["data", "flows", "overview"])
def test_public_view_does_not_serve_other_pages_by_address(page, public_url, path) -> None:
    page.goto(f"{public_url}/{path}")
    wait_for_app(page)
    assert page.get_by_role("heading", name="Tourism Atlas · Chiang Mai").count() == 1  # the landing page
    assert page.get_by_text("Data-quality notes").count() == 0
    assert page.get_by_text("Tables loaded").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


def test_public_density_page_draws_without_zone_summaries(page, public_url) -> None:
    page.goto(f"{public_url}/density")
    wait_for_app(page)
    page.get_by_text("Zone summaries are not part of the public view").wait_for(timeout=60_000)
    assert leaflet_maps(page), f"the density map did not draw; page errors: {page.errors}"
    assert page.get_by_text("Visitors (people-days)").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.errors == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "public_density.png"), full_page=True)
