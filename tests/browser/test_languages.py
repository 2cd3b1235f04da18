"""A Thai page and a Chinese page in Chromium: the navigation, a map legend and a chart title in that language
(issue 15), screenshotted for the README (docs/screenshots/ copies them)."""

from __future__ import annotations

import contextvars
import time

import pytest

from geo import i18n
from tests.browser.conftest import SCREENSHOTS
from tests.browser.helpers import leaflet_maps, wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _in(lang: str, message: str) -> str:
    def run() -> str:
        i18n.set_language(lang)
        return i18n._(message)

    return contextvars.copy_context().run(run)


def _nav(page) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')
    return [links.nth(i).inner_text().split("\n")[-1].strip() for i in range(links.count())]


def _legend_text(page, timeout: float = 30) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        for frame in page.frames:
            try:
                texts = frame.eval_on_selector_all(".atlas-legend", "els => els.map(e => e.innerText)")
            except Exception:  # a frame detached while looking
                continue
            if texts:
                return "\n".join(texts)
        time.sleep(0.5)
    return ""


@pytest.mark.parametrize("lang", ["th", "zh"])
def test_page_in_language(page, app_url, lang: str) -> None:
    page.goto(f"{app_url}/?lang={lang}")
    wait_for_app(page)
    nav = _nav(page)
    for title in ("Atlas map", "Overview", "Visitor density", "Places"):
        assert _in(lang, title) in nav and _in(lang, title) != title, nav
    assert page.locator("h1", has_text=_in(lang, "Tourism Atlas · Chiang Mai")).count() == 1
    leaflet_maps(page)
    legend = _legend_text(page)
    assert _in(lang, "Places by category") in legend and _in(lang, "Temples") in legend, legend
    page.screenshot(path=str(SCREENSHOTS / f"atlas_map_{lang}.png"))

    page.locator('[data-testid="stSidebarNav"] a', has_text=_in(lang, "Overview")).click()
    wait_for_app(page)
    assert f"lang={lang}" in page.url  # the choice survives the page change
    page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=30_000)
    chart_title = _in(lang, "People present by hour and weekday (average day)")
    assert chart_title != "People present by hour and weekday (average day)"
    # the Export section lists each chart drawn by its title (the title of the chart's own spec)
    page.get_by_text(_in(lang, "Export: data, charts, maps and the report pack")).click()
    page.wait_for_selector(f"text={chart_title}", timeout=15_000)
    assert page.errors == []
    page.screenshot(path=str(SCREENSHOTS / f"overview_{lang}.png"), full_page=True)
