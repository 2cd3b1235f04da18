"""Exports in a real browser (Debian Chromium, every non-loopback host blocked): the standalone map file draws from
disk with no network and no server, and the app's Export section hands out files made on click."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.render import export, flow_maps, place_maps, presence_maps
from geo.report.pack import page_count
from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import map_stats, wait_for_app
from tests.test_elements import ZONES, _cells, _corridors, _places

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MAPS = {
    "choropleth": lambda: presence_maps.choropleth_map(_cells(), ZONES, note="n"),
    "heat": lambda: presence_maps.heat_map(_cells(), ZONES, note="n"),
    "corridors": lambda: flow_maps.corridor_map(_corridors(), ZONES),
    "places": lambda: place_maps.places_map(_places(), ZONES),
}


@pytest.mark.parametrize("name", list(MAPS))
def test_standalone_map_file_draws_with_no_network(watched_page, tmp_path: Path, name: str) -> None:
    html = export.standalone_map_html(MAPS[name](), f"Tourism Atlas · {name}", ["all hours", "SIMULATED visitor data"])
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    page = watched_page
    page.goto(path.as_uri())
    page.wait_for_selector(".leaflet-container", timeout=20_000)
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-overlay-pane canvas, "
        "canvas.leaflet-heatmap-layer').length > 0", timeout=20_000)
    stats = map_stats(page.query_selector(".leaflet-container"))
    assert stats["width"] > 300 and stats["height"] > 300, stats
    assert stats["paths"] + stats["canvases"] + stats["heat"] > 0, stats
    assert stats["legend"] == 1 and stats["layers_control"] == 1, stats
    assert page.errors == [], page.errors
    assert page.dialogs == []
    assert page.get_by_text("SIMULATED visitor data").count() == 1
    # only the file itself, inline data and (failing, blocked) base-map tiles were asked for
    others = [u for u in page.requests if not u.startswith(("file:", "data:", "https://tile.openstreetmap.org/"))]
    assert others == [], others
    page.screenshot(path=str(SCREENSHOTS / f"export_{name}.png"))


def test_export_section_hands_out_files_made_on_click(page, app_url) -> None:
    page.goto(app_url)  # the landing page, then the navigation (a deep link on a fresh server may show a notice)
    page.get_by_text("Sources: see the Data page").first.wait_for(timeout=90_000)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Overview").click()
    page.get_by_text("Busiest zone").first.wait_for(timeout=60_000)
    wait_for_app(page)
    page.get_by_text("Export: data, charts, maps and the report pack").click()
    section = page.locator('[data-testid="stExpander"]').filter(has_text="Report pack")
    section.get_by_role("button", name="Report pack (PDF)").wait_for(timeout=10_000)
    with page.expect_download(timeout=30_000) as info:
        section.get_by_role("button", name="CSV", exact=True).first.click()
    download = info.value
    assert download.suggested_filename.startswith("overview_kpis_") and download.suggested_filename.endswith(".csv")
    data = Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"visitors" in data
    with page.expect_download(timeout=30_000) as info:
        section.get_by_role("button", name="SVG", exact=True).first.click()
    svg = Path(info.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Seasonality" in svg
    with page.expect_download(timeout=120_000) as info:  # built on the click's own thread from the page's filters
        section.get_by_role("button", name="Report pack (PDF)").click()
    assert info.value.suggested_filename.startswith("report_") and info.value.suggested_filename.endswith(".pdf")
    pdf = Path(info.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and page_count(pdf) >= 7  # title page, five sections, sources
    assert page.errors == [], page.errors
    section.scroll_into_view_if_needed()
    section.screenshot(path=str(SCREENSHOTS / "export_section.png"))
