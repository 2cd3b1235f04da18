"""Exporters (``geo.render.export``, ``geo.render.static_map``) and file names (``geo.report.naming``): round trips."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal

from geo.render import charts, export
from geo.render.fonts import has_thai_font
from geo.render.static_map import map_png
from geo.report.naming import file_name, filter_caption, slug
from geo.services.filters import Filters
from tests.test_elements import MAPS, _cells, _corridors, _places

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EVIL = "<script>alert(1)</script>"


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "name_en": ["Wat Phra Singh", "=HYPERLINK(\"http://x\")", "+1 market", "plain"],
        "name_th": ["วัดพระสิงห์", "เมืองเก่า", "ตลาด", "—"],
        "visits": [120, 30, 7, 0],
        "share": [0.5, 0.25, 0.125, None],
        "day": [date(2026, 8, 1)] * 4,
        "path": [[[18.7, 98.9], [18.8, 99.0]]] * 4,
    })


# --- CSV and Excel --------------------------------------------------------------------------------------


def test_csv_has_a_bom_keeps_thai_and_neutralises_formulas() -> None:
    data = export.csv_bytes(_frame())
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert list(back.columns) == list(_frame().columns)
    assert back["name_th"].tolist() == ["วัดพระสิงห์", "เมืองเก่า", "ตลาด", "—"]
    assert back["name_en"].tolist() == ["Wat Phra Singh", "'=HYPERLINK(\"http://x\")", "'+1 market", "plain"]
    assert back["visits"].sum() == 157
    assert json.loads(back["path"][0]) == [[18.7, 98.9], [18.8, 99.0]]


def test_csv_of_a_geodataframe_writes_wkt() -> None:
    gdf = export.points_frame(pd.DataFrame({"id": ["a"], "lon": [98.98], "lat": [18.79]}))
    back = pd.read_csv(io.BytesIO(export.csv_bytes(gdf)), encoding="utf-8-sig")
    assert back["geometry"].tolist() == ["POINT (98.98 18.79)"]


def test_xlsx_opens_with_an_about_sheet_and_text_cells_stay_text() -> None:
    from openpyxl import load_workbook

    data = export.xlsx_bytes({"top_places": _frame(), "a/b:c*?[long name that goes past 31 characters]": _frame()},
                             about=[("Filters", "2026-08-01 – 2026-10-31"), ("Visitor data", "SIMULATED")])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:2] == ["About", "top_places"]
    assert len(wb.sheetnames[2]) <= 31 and not re.search(r"[\[\]:*?/\\]", wb.sheetnames[2])
    ws = wb["top_places"]
    assert [c.value for c in ws[1]] == list(_frame().columns)
    formula_like = ws.cell(row=3, column=1)
    assert formula_like.value == "=HYPERLINK(\"http://x\")" and formula_like.data_type == "s"
    assert ws.cell(row=2, column=2).value == "วัดพระสิงห์"
    assert sum(ws.cell(row=r, column=3).value for r in range(2, 6)) == 157
    assert ws.cell(row=5, column=4).value is None  # NaN → empty cell
    assert wb["About"]["B3"].value == "SIMULATED"


def test_sheet_names_are_unique() -> None:
    taken: set[str] = set()
    assert [export.sheet_name("x" * 40, taken) for _ in range(3)] == ["x" * 31, "x" * 27 + " (2)", "x" * 27 + " (3)"]


# --- GeoJSON and GeoParquet -----------------------------------------------------------------------------


def _geoframes() -> list[gpd.GeoDataFrame]:
    places = _places().assign(name_th="วัด")
    corridors = _corridors()
    return [
        export.points_frame(places),
        export.cells_frame(_cells()),
        export.lines_frame(corridors, ("origin_lon", "origin_lat"), ("destination_lon", "destination_lat")),
        export.path_frame(pd.DataFrame({"leg": [1], "path": [[[18.79, 98.98], [18.78, 99.0]]]})),
    ]


@pytest.mark.parametrize("index", range(4), ids=["points", "cells", "lines", "paths"])
def test_geojson_and_geoparquet_reload_to_the_same_features(index: int) -> None:
    gdf = _geoframes()[index]
    from_json = gpd.read_file(io.BytesIO(export.geojson_bytes(gdf)))
    assert len(from_json) == len(gdf)
    assert all(a.equals_exact(b, 1e-12) for a, b in zip(from_json.geometry, gdf.geometry, strict=True))
    for col in gdf.columns.drop("geometry"):
        assert from_json[col].tolist() == gdf[col].tolist(), col
    from_parquet = gpd.read_parquet(io.BytesIO(export.geoparquet_bytes(gdf)))
    assert_geodataframe_equal(from_parquet, gdf, check_dtype=False, check_less_precise=False)


def test_cells_travel_as_h3_hex_text() -> None:
    gdf = export.cells_frame(_cells())
    doc = json.loads(export.geojson_bytes(gdf))
    assert doc["type"] == "FeatureCollection"
    assert all(re.fullmatch(r"[0-9a-f]{15}", f["properties"]["cell"]) for f in doc["features"])
    assert doc["features"][0]["geometry"]["type"] == "Polygon"


def test_zones_frame_joins_a_table() -> None:
    from tests.test_elements import ZONES

    gdf = export.zones_frame(ZONES, pd.DataFrame({"zone_id": ["west"], "beds": [10]}))
    assert gdf.crs.to_epsg() == 4326 and gdf["beds"].tolist() == [10]
    back = gpd.read_file(io.BytesIO(export.geojson_bytes(gdf)))
    assert back["name_en"].tolist() == [EVIL]  # the data's own text, not HTML-escaped


# --- charts ---------------------------------------------------------------------------------------------


def _origin_chart() -> Any:
    df = pd.DataFrame({"origin": ["Bangkok", "เชียงราย", "China"], "segment_group": ["domestic", "domestic",
                                                                                   "international"],
                       "visitors": [30, 20, 10], "share": [0.5, 0.33, 0.17]})
    return charts.origin_chart(df)


def test_chart_png_is_a_png() -> None:
    png = export.chart_png(_origin_chart(), ["2026-08-01 – 2026-10-31", "SIMULATED visitor data"])
    assert png.startswith(PNG_MAGIC) and len(png) > 5_000


def test_chart_svg_holds_its_title_caption_and_thai_text() -> None:
    svg = export.chart_svg(_origin_chart(), ["2026-08-01 – 2026-10-31 · all hours", "SIMULATED visitor data"]).decode()
    assert svg.startswith("<svg")
    assert "Origin markets (people-days)" in svg
    assert "SIMULATED visitor data" in svg and "2026-08-01 – 2026-10-31 · all hours" in svg
    assert "เชียงราย" in svg


def test_export_spec_keeps_the_chart_and_adds_the_caption() -> None:
    spec = export.export_spec(_origin_chart(), ["a", "b"])
    assert spec["title"]["text"] == "Origin markets (people-days)" and spec["title"]["subtitle"] == ["a", "b"]
    assert spec["width"] == export.CHART_WIDTH and spec["background"] == "white"


def test_thai_fonts_are_installed() -> None:
    assert has_thai_font(), "install fonts-thai-tlwg (make setup does)"


# --- maps -----------------------------------------------------------------------------------------------

_EXTERNAL_TAG = re.compile(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", re.IGNORECASE)


@pytest.mark.parametrize(("builder", "args", "kwargs"), MAPS, ids=[b.__name__ for b, _, _ in MAPS])
def test_standalone_map_html_inlines_every_asset(builder, args, kwargs) -> None:
    html = export.standalone_map_html(builder(*args, **kwargs), f"Title {EVIL}", ["Filters: all hours", EVIL])
    assert not _EXTERNAL_TAG.search(html)
    assert "/app/static/" not in html
    assert "<script src=" not in html and "<link rel=\"stylesheet\" href=" not in html
    assert "Leaflet 1.9" in html or "leafletjs.com" in html  # Leaflet's own code, inline
    assert "jQuery" in html
    assert "url(data:image/png;base64," in html  # Leaflet's CSS images
    assert EVIL not in html.split("<script>")[0]  # the header box escapes the title and caption
    assert "<title>Title &lt;script&gt;alert(1)&lt;/script&gt;</title>" in html


@pytest.mark.parametrize(("builder", "args", "kwargs"), MAPS, ids=[b.__name__ for b, _, _ in MAPS])
def test_map_png_draws_every_map(builder, args, kwargs) -> None:
    png = map_png(builder(*args, **kwargs), title="Map", caption=["Filters", "SIMULATED"], dpi=60)
    assert png.startswith(PNG_MAGIC) and len(png) > 3_000


def test_map_png_has_legend_scale_bar_and_title_pixels() -> None:
    from PIL import Image

    from geo.render import presence_maps

    m = presence_maps.choropleth_map(_cells(), None, note="n")
    plain = Image.open(io.BytesIO(map_png(m, dpi=60)))
    titled = Image.open(io.BytesIO(map_png(presence_maps.choropleth_map(_cells(), None, note="n"),
                                           title="People present", caption=["a", "b"], dpi=60)))
    assert titled.height > plain.height  # title above and caption below are part of the image
    assert plain.width > plain.height * 1.2  # the legend sits beside the map


# --- file names -----------------------------------------------------------------------------------------


def test_file_names_say_page_part_and_filters() -> None:
    f = Filters(date(2026, 8, 1), date(2026, 10, 31))
    assert file_name("density", f, "csv", part="cells") == "density_cells_2026-08-01_2026-10-31_all-hours.csv"
    narrow = Filters(date(2026, 8, 1), date(2026, 8, 31), weekdays=(5, 6), hours=(6, 22), segments=("domestic",),
                     categories=("temple", "hotel"))
    assert (file_name("overview", narrow, "xlsx", extra={"season": "cool", "hour": None})
            == "overview_2026-08-01_2026-08-31_wd-sat-sun_h06-22_domestic_cat-temple+hotel_season-cool.xlsx")
    assert file_name("map", f, "geojson", part="places", fields=("categories",)) == "map_places.geojson"
    assert file_name("data", None, "csv", part="tables") == "data_tables.csv"


def test_file_names_are_safe_ascii_and_bounded() -> None:
    f = Filters(date(2026, 8, 1), date(2026, 10, 31))
    name = file_name("places", f, "csv", extra={"q": "วัด ../../etc/passwd <x>" + "a" * 300})
    assert re.fullmatch(r"[a-z0-9_+\-.]+", name) and len(name) <= 150 and name.endswith(".csv")
    assert "/" not in name and ".." not in name.removesuffix(".csv")
    assert slug("Nimmanhaemin – Suthep (CMU)") == "nimmanhaemin-suthep-cmu"
    assert slug("เมืองเก่า") == ""


def test_filter_caption_states_every_filter() -> None:
    f = Filters(date(2026, 8, 1), date(2026, 8, 31), weekdays=(0, 1), hours=(8, 17), segments=("international",))
    assert filter_caption(f, extra={"season": "Cool season"}) == (
        "2026-08-01 – 2026-08-31 (31 days) · weekdays: Mon, Tue · hours 08:00–17:59 · origins: international"
        " · season: Cool season")
    assert filter_caption(Filters(date(2026, 8, 1), date(2026, 8, 1)), ("hours",)) == "all hours"
