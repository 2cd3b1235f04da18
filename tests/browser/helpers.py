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


#: Open every tooltip and popup of the Leaflet map drawn in a container, one after another (a group's overlay
#: once per member), so each one's HTML is parsed as it would be on hover or click. Returns counts, how many
#: showed a payload literally as text ("alert(1)" in the text), and any error.
OPEN_OVERLAYS_JS = """(c) => {
    let m = (window.map && window.map.getContainer && window.map.getContainer() === c) ? window.map : null;
    if (!m && window.L) {
        for (const k of Object.keys(window)) {
            try {
                const v = window[k];
                if (v instanceof window.L.Map && v.getContainer() === c) { m = v; break; }
            } catch (e) { /* a property that cannot be read */ }
        }
    }
    const out = {found: !!m, tooltips: 0, popups: 0, literal: 0, errors: []};
    if (!m) return out;
    const layers = [];
    m.eachLayer(l => layers.push(l));
    for (const l of layers) {
        for (const kind of ['Tooltip', 'Popup']) {
            const overlay = typeof l['get' + kind] === 'function' ? l['get' + kind]() : null;
            if (!overlay) continue;
            overlay.options.autoPan = false;
            const targets = typeof l.getLayers === 'function' ? l.getLayers() : [l];
            for (const t of targets) {
                try {
                    if (t !== l) overlay._source = t;
                    l['open' + kind]();
                    const el = overlay.getElement && overlay.getElement();
                    if (el && el.textContent.includes('alert(1)')) out.literal++;
                    out[kind === 'Tooltip' ? 'tooltips' : 'popups']++;
                } catch (e) { out.errors.push(kind + ': ' + e); }
            }
            try { l['close' + kind](); } catch (e) { out.errors.push('close ' + kind + ': ' + e); }
        }
    }
    return out;
}"""


def open_every_overlay(handle: ElementHandle) -> dict:
    """Open each tooltip and popup of the map in ``handle`` (a ``.leaflet-container``); see ``OPEN_OVERLAYS_JS``."""
    return handle.evaluate(OPEN_OVERLAYS_JS)


#: An element, where it sits (the nearest Streamlit test id) and the text around it, for a failure message.
_DESCRIBE_JS = """(e) => {
    const ids = [];
    for (let x = e; x && ids.length < 3; x = x.parentElement) {
        if (x.getAttribute && x.getAttribute('data-testid')) ids.push(x.getAttribute('data-testid'));
    }
    const box = e.closest('[data-testid]');
    const where = ids.length ? ids.join(' < ') : e.ownerDocument.location.pathname;
    const text = (box || e.parentElement || e).textContent.slice(0, 160);
    return where + ': ' + e.outerHTML.slice(0, 160) + ' in ' + JSON.stringify(text);
}"""


def elements_pointing_to(page: Page, host: str) -> list[str]:
    """Links, images and frames in the page or any of its frames whose address names ``host`` (outer HTML, cut)."""
    selector = f'a[href*="{host}"], img[src*="{host}"], iframe[src*="{host}"], [srcset*="{host}"]'
    found: list[str] = []
    for frame in page.frames:
        try:
            found.extend(h.evaluate(_DESCRIBE_JS) for h in frame.query_selector_all(selector))
        except Exception:  # a frame that navigated away while we looked
            continue
    return found
