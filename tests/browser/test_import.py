"""The Data page's upload form in a real browser: a register is checked, imported, and its places are then shown."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, serve_app
from tests.browser.helpers import wait_for_app
from tests.test_ingest_run import PLACES_CSV

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def import_url(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on its own copy of the session database (this test changes it)."""
    db = tmp_path_factory.mktemp("import") / "atlas.duckdb"
    shutil.copy2(atlas_db, db)
    with serve_app(db, "streamlit-import.log") as url:
        yield url


def test_upload_checks_then_imports_and_the_new_place_is_searchable(watched_page, import_url, tmp_path) -> None:
    page = watched_page
    src = tmp_path / "register.csv"
    src.write_text(PLACES_CSV, encoding="utf-8")
    page.goto(f"{import_url}/data")  # the fresh server's first visitor, by deep link
    wait_for_app(page)
    assert page.get_by_text("Page not found").count() == 0
    page.get_by_text("Files up to 50 MB", exact=False).first.wait_for()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(src))
    page.get_by_text("register.csv").first.wait_for()
    submit = page.get_by_role("button", name="Check and import")
    expect(submit).to_be_enabled(timeout=30_000)  # disabled while the upload is in flight
    page.screenshot(path=str(SCREENSHOTS / "data-import-chosen.png"), full_page=True)
    submit.click()
    page.get_by_text("Check only: 3 of 4 rows would be imported", exact=False).wait_for(timeout=60_000)
    page.get_by_text("Check only (change nothing)").click()  # untick: import for real
    page.get_by_role("button", name="Check and import").click()
    page.get_by_text("Imported 3 of 4 rows from register.csv", exact=False).wait_for(timeout=120_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "data-import.png"), full_page=True)
    assert not page.errors and not page.dialogs
    page.goto(f"{import_url}/places?place=acc-baan-suan-homestay")
    wait_for_app(page)
    page.get_by_text("Baan Suan Homestay").first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
