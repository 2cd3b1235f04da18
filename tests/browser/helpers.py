"""What a person sees: wait for Streamlit to settle, find drawn Leaflet maps (in any frame)."""

from __future__ import annotations

import time

from playwright.sync_api import ElementHandle, Page

MAP_STATS_JS = """(c) => {
    const r = c.getBoundingClientRect();
    return {width: r.width, height: r.height,
            paths: c.querySelectorAll('.leaflet-overlay-pane path').length,
            canvases: c.querySelectorAll('.leaflet-overlay-pane canvas').length,
            markers: c.querySelectorAll('.leaflet-marker-pane > *').length,
            heat: c.querySelectorAll('canvas.leaflet-heatmap-layer').length,
            legend: c.querySelectorAll('.atlas-legend').length,
            layers_control: c.querySelectorAll('.leaflet-control-layers').length};
}"""


def wait_for_app(page: Page, timeout: float = 60) -> None:
    """Wait until the script run finished (no running indicator for a moment) and content rendered."""
    page.wait_for_selector('[data-testid="stMainBlockContainer"]', timeout=timeout * 1000)
    page.wait_for_selector('[data-testid="stMarkdownContainer"], [data-testid="stHeading"]', timeout=timeout * 1000)
    deadline = time.time() + timeout
    quiet_since = None
    while time.time() < deadline:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        skeleton = page.locator('[data-testid="stSkeleton"]').count() > 0
        if running or skeleton:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.time()
        elif time.time() - quiet_since > 1.0:
            return
        time.sleep(0.2)
    raise AssertionError("the app kept running for too long")


def leaflet_maps(page: Page, expected: int = 1, timeout: float = 45) -> list[ElementHandle]:
    """Every ``.leaflet-container`` in the page or its frames that holds drawn layers; waits for ``expected``."""
    deadline = time.time() + timeout
    found: list[ElementHandle] = []
    while time.time() < deadline:
        found = []
        for frame in page.frames:
            try:
                for handle in frame.query_selector_all(".leaflet-container"):
                    stats = handle.evaluate(MAP_STATS_JS)
                    if stats["paths"] + stats["canvases"] + stats["markers"] > 0:
                        found.append(handle)
            except Exception:
                continue
        if len(found) >= expected:
            return found
        time.sleep(0.5)
    return found


def map_stats(handle: ElementHandle) -> dict:
    """Size of a map container and counts of what it drew (paths, canvases, markers, legend, controls)."""
    return handle.evaluate(MAP_STATS_JS)
