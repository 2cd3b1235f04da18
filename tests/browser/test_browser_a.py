"""A real browser (Debian Chromium, no internet) on the Overview and Visitor density pages.

Each page loads at its own URL, draws its charts and maps with no exception box and no script error, a
filter change moves a KPI, and opening the copied address in a new tab restores the same view.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, serve_app
from tests.browser.helpers import leaflet_maps, map_stats, wait_for_app
from tests.presence_fixtures import flows_database

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def url_a(atlas_db: Path, app_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app against a database with presence flows: the session server when its database has them."""
    db = flows_database(atlas_db, tmp_path_factory.mktemp("presence_browser"))
    if db == atlas_db:
        yield app_url
        return
    with serve_app(db, "streamlit_a.log") as url:
        yield url


def metric(page, label: str) -> str:
    """The displayed value of the KPI tile whose label is ``label``."""
    tile = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$"))
    ).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def remove_segment(page, name: str) -> None:
    """Remove one origin segment chip from the sidebar multiselect."""
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name=f"Remove {name}").first.click()


def open_from_nav(page, url: str, title: str) -> None:
    """Open the app at its root and follow the sidebar navigation link ``title`` (st.navigation pages)."""
    page.goto(url)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    page.locator('[data-testid="stSidebarNav"] a', has_text=title).first.click()
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    wait_for_app(page)


def open_copied_url(page):
    """Open the page's current address in a new tab (what a person does with a copied link)."""
    copy = page.context.new_page()
    copy.errors = []  # type: ignore[attr-defined]
    copy.on("pageerror", lambda exc: copy.errors.append(str(exc)))
    copy.goto(page.url)
    copy.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    wait_for_app(copy)
    return copy


def assert_clean(page) -> None:
    """No Streamlit exception box and no JavaScript error in the page."""
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.errors == [], page.errors


def test_overview_page_in_browser(page, url_a) -> None:
    open_from_nav(page, url_a, "Overview")
    assert page.url.split("?")[0] == f"{url_a}/overview"
    assert_clean(page)
    assert page.locator("h1", has_text="Overview").count() == 1
    page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=30_000)
    assert page.locator('[data-testid="stVegaLiteChart"]').count() >= 3
    before = metric(page, "Visitors (people-days)")
    share_before = metric(page, "International share")
    assert int(before.replace(",", "")) > 0
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)

    remove_segment(page, "International")
    wait_for_app(page)
    after = metric(page, "Visitors (people-days)")
    assert after != before
    assert metric(page, "International share") == "0.0%" != share_before
    assert "seg=" in page.url
    assert_clean(page)

    copy = open_copied_url(page)
    assert metric(copy, "Visitors (people-days)") == after
    assert metric(copy, "International share") == "0.0%"
    assert_clean(copy)


def test_density_page_in_browser(page, url_a) -> None:
    open_from_nav(page, url_a, "Visitor density")
    assert page.url.split("?")[0] == f"{url_a}/density"
    assert_clean(page)
    maps = leaflet_maps(page)
    assert maps, f"no Leaflet map drew; page errors: {page.errors}"
    stats = map_stats(maps[0])
    assert stats["width"] > 300 and stats["height"] > 300
    assert stats["heat"] == 1 and stats["paths"] + stats["canvases"] > 0
    assert stats["legend"] == 1 and stats["layers_control"] == 1
    page.screenshot(path=str(SCREENSHOTS / "density.png"), full_page=True)

    page.get_by_text("H3 hexagons (choropleth)").click()
    wait_for_app(page)
    assert "d_view=hex" in page.url
    before = metric(page, "People present (avg per hour, all cells)")
    remove_segment(page, "Resident")
    wait_for_app(page)
    after = metric(page, "People present (avg per hour, all cells)")
    assert after != before
    maps = leaflet_maps(page)
    assert maps
    stats = map_stats(maps[0])
    assert stats["heat"] == 0 and stats["canvases"] >= 1 and stats["legend"] == 1
    assert_clean(page)
    page.screenshot(path=str(SCREENSHOTS / "density_hex.png"), full_page=True)

    # a click on the map drills down to the cell under the pointer
    box = maps[0].bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("text=/Cell `?[0-9a-f]{15}/", timeout=20_000)
    wait_for_app(page)
    assert_clean(page)

    copy = open_copied_url(page)
    assert metric(copy, "People present (avg per hour, all cells)") == after
    assert copy.locator('[data-testid="stMainBlockContainer"] [data-testid="stRadio"] input[type="radio"]:checked').first.evaluate(
        "e => e.closest('label').innerText") == "H3 hexagons (choropleth)"
    copy_maps = leaflet_maps(copy)
    assert copy_maps and map_stats(copy_maps[0])["heat"] == 0
    assert "d_cell=" in page.url
    assert copy.locator("text=/Cell `?[0-9a-f]{15}/").count() >= 1  # the drilled-down cell came back too
    assert_clean(copy)
