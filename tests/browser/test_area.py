"""A real browser draws a rectangle on the Visitor density map with the mouse (Leaflet.draw, served offline).

The page's numbers for the drawn area equal the service's and a direct sum over the cells whose centre lies in the
rectangle read back from the address; the copied address brings back the outline and the same numbers, and
"Clear area" forgets it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from shapely.geometry import Point, Polygon

from geo.db import connect
from geo.services import area, catalog, presence
from geo.services.filters import default_filters
from tests.browser.conftest import SCREENSHOTS, serve_app
from tests.browser.helpers import leaflet_maps, wait_for_app
from tests.presence_fixtures import flows_database
from ui import url

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: What the drawn area's outline and tool look like in the map's frame: the tool's group and its shapes.
DRAWN_JS = "() => window.drawnItems && window.drawnItems.getLayers ? window.drawnItems.getLayers().length : -1"


@pytest.fixture(scope="module")
def flows_db(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return flows_database(atlas_db, tmp_path_factory.mktemp("area_browser"))


@pytest.fixture(scope="module")
def area_url(flows_db: Path, atlas_db: Path, app_url: str) -> Iterator[str]:
    """The app against a database with presence flows: the session server when its database has them."""
    if flows_db == atlas_db:
        yield app_url
        return
    with serve_app(flows_db, "streamlit_area.log") as served:
        yield served


def metric(page, label: str) -> str:
    """The displayed value of the KPI tile whose label is ``label``."""
    tile = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$"))
    ).first
    return tile.locator('[data-testid="stMetricValue"]').inner_text().strip()


def wait_for_metric(page, label: str, timeout: float = 60) -> None:
    page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(f"^{re.escape(label)}$")).first.wait_for(
        timeout=timeout * 1000)


def map_frame(page):
    """The frame of the (first) drawn Leaflet map and its container."""
    maps = leaflet_maps(page)
    assert maps, f"no Leaflet map drew; page errors: {page.errors}"
    return maps[0], maps[0].owner_frame()


def assert_clean(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.errors == [], page.errors
    assert not [u for u in page.outside if "cdnjs" in u or "jsdelivr" in u], page.outside  # Leaflet.draw is local


def _direct_people_hours(db: Path, ring: area.Ring) -> int:
    """People-hours of the cells whose centre is inside ``ring``, straight from the tables (default filters)."""
    con = connect(db, read_only=True)
    try:
        first, last = catalog.date_bounds(con)
        f = default_filters(first, last)
        cells = con.execute("select cell, lon, lat from cells").df()
        poly = Polygon(ring)
        inside = {int(c) for c, lon, lat in zip(cells["cell"], cells["lon"], cells["lat"], strict=True)
                  if poly.contains(Point(lon, lat))}
        months = presence.season_months("range", f)
        profile = con.execute("select cell, month, weekday, hour, segment_group, visitors from presence_cell_profile").df()
        keep = (profile["cell"].astype("uint64").isin(inside) & profile["month"].isin(months)
                & profile["weekday"].isin(f.weekdays) & profile["hour"].between(*f.hours)
                & profile["segment_group"].isin(f.segments))
        return int(profile.loc[keep, "visitors"].sum())
    finally:
        con.close()


def _service(db: Path, ring: area.Ring) -> area.AreaSummary:
    con = connect(db, read_only=True)
    try:
        first, last = catalog.date_bounds(con)
        return area.area_summary(con, default_filters(first, last), ring, floor=0)
    finally:
        con.close()


def test_a_rectangle_drawn_by_mouse_gives_the_totals_of_the_cells_inside(page, area_url, flows_db) -> None:
    page.goto(area_url)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Visitor density").first.click()
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    wait_for_app(page)
    container, frame = map_frame(page)
    assert frame.evaluate(DRAWN_JS) == 0  # the tool is there, with no area yet
    assert frame.locator(".leaflet-draw-draw-polygon").count() == 1
    assert frame.locator(".leaflet-draw-draw-circle, .leaflet-draw-draw-marker, .leaflet-draw-draw-polyline").count() == 0

    frame.locator(".leaflet-draw-draw-rectangle").click()
    box = container.bounding_box()
    assert box is not None
    x0, y0 = box["x"] + box["width"] * 0.38, box["y"] + box["height"] * 0.35
    x1, y1 = box["x"] + box["width"] * 0.62, box["y"] + box["height"] * 0.6
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=6)
    page.mouse.move(x1, y1, steps=6)
    page.mouse.up()
    page.wait_for_url(re.compile(r"[?&]area="), timeout=30_000)
    wait_for_metric(page, "People-hours")
    wait_for_app(page)
    assert_clean(page)

    ring = url.area_from_url(parse_qs(urlparse(page.url).query)["area"][0])
    assert len(ring) == 4 and len({lon for lon, _ in ring}) == 2 and len({lat for _, lat in ring}) == 2  # a rectangle
    want = _service(flows_db, ring)
    assert want.cells > 0 and want.people_hours > 0, "the rectangle should cover cells with people"
    assert want.people_hours == _direct_people_hours(flows_db, ring)
    assert metric(page, "People-hours") == f"{want.people_hours:,}"
    assert metric(page, "People present (avg/hour)") == f"{want.present:,.1f}"
    assert metric(page, "Beds inside") == f"{want.beds:,}"
    assert "d_cell=" not in page.url  # the mouse-up that ended the rectangle was not taken as a drill-down click
    container, frame = map_frame(page)
    assert frame.evaluate(DRAWN_JS) == 1  # the area is drawn in the tool's group, editable and deletable
    page.locator('[data-testid="stHeading"]', has_text="Drawn area").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "density_drawn_area.png"))

    copy = page.context.new_page()
    copy.errors = []  # type: ignore[attr-defined]
    copy.outside = []  # type: ignore[attr-defined]
    copy.on("pageerror", lambda exc: copy.errors.append(str(exc)))
    copy.goto(page.url)
    wait_for_metric(copy, "People-hours")
    wait_for_app(copy)
    assert metric(copy, "People-hours") == f"{want.people_hours:,}"
    _, copy_frame = map_frame(copy)
    assert copy_frame.evaluate(DRAWN_JS) == 1  # the link brings the outline back
    assert_clean(copy)

    page.get_by_role("button", name="Clear area").click()
    page.wait_for_url(lambda address: "area=" not in address, timeout=30_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stMetricLabel"]', has_text="People-hours").count() == 0
    _, frame = map_frame(page)
    assert frame.evaluate(DRAWN_JS) == 0
    assert_clean(page)


def test_a_polygon_drawn_by_clicks_keeps_its_corners(page, area_url) -> None:
    page.goto(area_url)
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=60_000)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Visitor density").first.click()
    page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
    wait_for_app(page)
    container, frame = map_frame(page)
    frame.locator(".leaflet-draw-draw-polygon").click()
    box = container.bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    corners = [(cx - 70, cy - 50), (cx + 80, cy - 60), (cx + 90, cy + 55), (cx - 50, cy + 70)]
    for x, y in corners:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    assert "d_cell=" not in page.url  # vertex clicks are not drill-down clicks
    page.mouse.click(*corners[0])  # close the shape on its first corner
    page.wait_for_url(re.compile(r"[?&]area="), timeout=30_000)
    wait_for_metric(page, "People-hours")
    wait_for_app(page)
    ring = url.area_from_url(parse_qs(urlparse(page.url).query)["area"][0])
    assert len(ring) == 4
    assert_clean(page)
