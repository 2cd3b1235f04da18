"""The Export section on the pages (AppTest): what it offers, and that each exported total equals the page's KPI."""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import ui.export
from geo.render import export
from geo.settings import ROOT
from tests.presence_fixtures import flows_database

APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def flows_db(atlas_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return flows_database(atlas_db, tmp_path_factory.mktemp("export-flows"))


@pytest.fixture
def offered(flows_db: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Point the app at the flows database and record what each page hands to ``ui.export.section``."""
    monkeypatch.setenv("ATLAS_DB", str(flows_db))
    seen: dict[str, Any] = {}
    original = ui.export.section

    def section(page: str, filters: Any, *tables: Any, **kwargs: Any) -> None:
        seen[page] = {"filters": filters, "tables": {t.name: t for t in tables if t is not None}, **kwargs}
        original(page, filters, *tables, **kwargs)

    monkeypatch.setattr(ui.export, "section", section)
    return seen


def _open(page: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(f"pages/views/{page}.py")
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def _csv(table: Any) -> pd.DataFrame:
    data = export.csv_bytes(table.frame)
    assert data.startswith(b"\xef\xbb\xbf")
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def _labels(at: AppTest) -> list[str]:
    return [b.label for b in at.get("download_button")]


def test_overview_offers_its_tables_charts_and_the_report(offered) -> None:
    at = _open("overview")
    assert any(e.label == ui.export.SECTION_LABEL for e in at.expander)
    labels = _labels(at)
    assert labels.count("CSV") == 5 and "All tables as Excel (.xlsx)" in labels
    assert labels.count("PNG") == 3 and labels.count("SVG") == 3  # seasonality, hour × weekday, origins
    assert "Report pack (PDF)" in labels
    assert set(offered["overview"]["tables"]) == {"kpis", "seasonality", "hour_weekday", "origins", "top_places"}


def test_overview_kpi_export_equals_the_kpis_on_screen(offered) -> None:
    at = _open("overview")
    kpis = _csv(offered["overview"]["tables"]["kpis"]).set_index("measure")["this_period"]
    assert f"{int(float(kpis['visitors'])):,}" == _metric(at, "Visitors (people-days)")
    assert f"{int(float(kpis['overnight'])):,}" == _metric(at, "Overnight (people-days)")
    assert f"{float(kpis['international_share']):.1%}" == _metric(at, "International share")
    top = _csv(offered["overview"]["tables"]["top_places"])
    assert len(top) == len(at.dataframe[0].value)


def test_density_cells_export_sums_to_people_present(offered) -> None:
    at = _open("density")
    cells = offered["density"]["tables"]["cells"]
    assert f"{_csv(cells)['present'].sum():,.0f}" == _metric(at, "People present (avg per hour, all cells)")
    assert f"{len(cells.frame):,}" == _metric(at, "Cells with people")
    gdf = cells.geometry(cells.frame)
    assert len(gdf) == len(cells.frame) and gdf.geometry.geom_type.eq("Polygon").all()
    labels = _labels(at)
    assert "GeoJSON" in labels and "GeoParquet" in labels and "HTML" in labels


def test_capacity_export_sums_to_the_beds_and_rooms_shown(offered) -> None:
    at = _open("capacity")
    zones = _csv(offered["capacity"]["tables"]["pressure_by_zone"])
    assert f"{int(zones['beds'].sum()):,}" == _metric(at, "Beds (all zones)")
    assert f"{int(zones['rooms'].sum()):,}" == _metric(at, "Rooms")
    catchment = _csv(offered["capacity"]["tables"]["catchment"])
    assert f"{len(catchment):,}" == _metric(at, "Accommodations in catchment")


def test_flows_export_totals_equal_the_trips_shown(offered) -> None:
    at = _open("flows")
    totals = _csv(offered["flows"]["tables"]["totals"])
    assert f"{int(totals['corridor_trips'][0]):,}" == _metric(at, "Trips between zones")
    corridors = offered["flows"]["tables"]["corridors"]
    assert len(corridors.frame) == len(at.dataframe[0].value)
    assert corridors.geometry(corridors.frame).geometry.geom_type.eq("LineString").all()


def test_atlas_map_export_counts_the_places_shown(offered) -> None:
    at = _open("atlas_map")
    places = _csv(offered["map"]["tables"]["places"])
    assert f"{len(places):,}" == _metric(at, "Places shown")
    assert f"{int(places['rooms'].fillna(0).sum()):,}" == _metric(at, "Rooms (accommodation)")
    assert offered["map"]["fields"] == ("categories",)


def test_places_and_data_pages_offer_exports(offered) -> None:
    at = _open("places")
    assert {"results", "place", "nearby"} <= set(offered["places"]["tables"])
    assert "Report pack (PDF)" in _labels(at)
    at = _open("data")
    assert {"tables", "datasets"} <= set(offered["data"]["tables"])
    assert "Report pack (PDF)" in _labels(at)  # the report uses the sidebar's filters


def test_deferred_files_are_made_from_the_offered_tables(offered) -> None:
    _open("overview")
    sheets = {name: t.frame for name, t in offered["overview"]["tables"].items()}
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(export.xlsx_bytes(sheets, [("Page", "overview")])))
    assert wb.sheetnames == ["About", "kpis", "seasonality", "hour_weekday", "origins", "top_places"]


@pytest.fixture
def public_env(public_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Public mode on the published session file (cached connections dropped first: see tests/test_app.py)."""
    st.cache_resource.clear()
    gc.collect()
    monkeypatch.setenv("ATLAS_MODE", "public")
    monkeypatch.setenv("ATLAS_PUBLIC_DB", str(public_db))
    yield public_db
    st.cache_resource.clear()
    gc.collect()


@pytest.mark.parametrize("page", ["public/density", "public/overview", "public/flows", "public/capacity",
                                  "public/places"])
def test_public_pages_offer_only_pictures(public_env, page) -> None:
    at = _open(page)
    labels = _labels(at)
    assert "PNG" in labels
    assert not {"CSV", "GeoJSON", "GeoParquet", "All tables as Excel (.xlsx)", "Report pack (PDF)"} & set(labels)
