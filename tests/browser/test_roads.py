"""A real browser on Flows and routes with an imported road network: the road-load map and the itinerary on
roads draw offline with no script error (screenshot for the README)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench.roads import write_grid
from geo.build.run import BuildOptions, build_database
from geo.ingest.run import ImportOptions, import_file
from geo.settings import ROOT
from tests.browser.conftest import SCREENSHOTS, serve_app
from tests.browser.helpers import leaflet_maps, map_stats, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROUTE = "acc-chiang-mai-marriott,att-wat-phra-singh,att-wat-chedi-luang,att-tha-phae-gate,att-warorot-market"


@pytest.fixture(scope="module")
def roads_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app against a database with simulated flows and a generated 8 km grid of streets round the old city."""
    tmp = tmp_path_factory.mktemp("roads_browser")
    db = tmp / "atlas.duckdb"
    build_database(db, BuildOptions(visitors=1500, days=42, seed_dir=ROOT / "data" / "seed"))
    write_grid(tmp / "city.osm.pbf", 80, spacing_m=100)
    import_file(tmp / "city.osm.pbf", ImportOptions(layer="roads", attribution="generated test grid"), db)
    with serve_app(db, "streamlit_roads.log") as url:
        yield url


def test_road_load_and_itinerary_on_roads_draw_offline(page, roads_url) -> None:
    page.goto(f"{roads_url}/flows?route={ROUTE}&order=best&tour=closed&day=6")
    wait_for_app(page)
    maps = leaflet_maps(page, expected=3, timeout=90)
    assert len(maps) >= 3, f"corridor, road-load and route maps; page errors: {page.errors}"
    for handle in maps:
        stats = map_stats(handle)
        assert stats["paths"] + stats["canvases"] > 0 and stats["legend"] == 1
    body = page.inner_text("body")
    assert "Road load" in body and "Most loaded streets" in body and "Day plan" in body
    assert "Best order (exact)" in body
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.errors == []
    page.mouse.move(5, 5)
    for handle, name in ((maps[1], "flows_road_load.png"), (maps[2], "flows_route_on_roads.png")):
        handle.evaluate("el => el.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(800)
        page.screenshot(path=str(SCREENSHOTS / name))
