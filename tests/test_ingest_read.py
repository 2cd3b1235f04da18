"""geo.ingest.read: every supported format into a SourceTable, and every file-level refusal with its message.

All files are written here into ``tmp_path`` (GeoPandas/pyogrio for the GDAL formats, zipfile for Shapefiles,
``str.encode('cp874')`` for Thai legacy CSV).
"""

from __future__ import annotations

import builtins
import json
import pathlib
import sys
import types
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Point, Polygon

from geo.errors import ImportRefusedError
from geo.ingest.model import Problem, SourceTable
from geo.ingest.read import DEFAULT_MAX_BYTES, detect_encoding, read_table

NAMES = ["วัดพระสิงห์", "ดอยสุเทพ", "ตลาดวโรรส"]
LONLAT = [(98.9819, 18.7886), (98.9217, 18.8048), (99.0003, 18.7902)]
CSV_TEXT = "place_id,name_th,lat,lon\n" + "".join(
    f"p{i},{n},{lat},{lon}\n" for i, (n, (lon, lat)) in enumerate(zip(NAMES, LONLAT, strict=True), start=1))


def _places(crs: int = 4326) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame({"place_id": ["p1", "p2", "p3"], "name_th": NAMES, "rooms": [1, 20, 300]},
                           geometry=[Point(xy) for xy in LONLAT], crs=4326)
    return gdf.to_crs(crs) if crs != 4326 else gdf


def _refused(path: Path, **kwargs: object) -> str:
    with pytest.raises(ImportRefusedError) as caught:
        read_table(path, **kwargs)
    error = caught.value
    assert error.problems and all(isinstance(p, Problem) for p in error.problems)
    assert error.problems[-1].action == "refused"
    return str(error)


def _zip(target: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target


def _shapefile_zip(tmp_path: Path, *, crs: int = 32647, encoding: str = "UTF-8",
                   drop: tuple[str, ...] = ()) -> Path:
    folder = tmp_path / "shp"
    folder.mkdir()
    _places(crs).to_file(folder / "places.shp", engine="pyogrio", encoding=encoding)
    parts = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix not in drop}
    return _zip(tmp_path / "places.zip", parts)


def _geojson(tmp_path: Path, data: object, name: str = "zones.geojson", *, bom: bool = False) -> Path:
    path = tmp_path / name
    text = json.dumps(data, ensure_ascii=False, indent=1)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def _fc(*features: dict, crs: object = None) -> dict:
    data: dict = {"type": "FeatureCollection", "features": list(features)}
    if crs is not None:
        data["crs"] = crs
    return data


def _feature(geometry: object, **props: object) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def _assert_places(table: SourceTable) -> None:
    """The three places, in file order (FlatGeobuf's spatial index stores them in its own order)."""
    assert table.rows == 3
    frame = table.frame.sort_values("place_id") if table.format == "flatgeobuf" else table.frame
    assert list(frame["name_th"]) == NAMES
    assert table.has_geometry
    for geom, (lon, lat) in zip(frame["geometry"], LONLAT, strict=True):
        assert geom.geom_type == "Point"
        assert geom.x == pytest.approx(lon, abs=1e-6) and geom.y == pytest.approx(lat, abs=1e-6)


# --------------------------------------------------------------------------------------------- good files


def _write(fmt: str, tmp_path: Path) -> Path:
    if fmt == "gpkg":
        _places().to_file(tmp_path / "places.gpkg", layer="places", engine="pyogrio")
        return tmp_path / "places.gpkg"
    if fmt == "shapefile":
        return _shapefile_zip(tmp_path)
    if fmt == "kml":
        _places().to_file(tmp_path / "places.kml", driver="KML", engine="pyogrio")
        return tmp_path / "places.kml"
    if fmt == "flatgeobuf":
        _places().to_file(tmp_path / "places.fgb", driver="FlatGeobuf", engine="pyogrio")
        return tmp_path / "places.fgb"
    if fmt == "geoparquet":
        _places().to_parquet(tmp_path / "places.parquet")
        return tmp_path / "places.parquet"
    _places().to_file(tmp_path / "places.geojson", driver="GeoJSON", engine="pyogrio")
    return tmp_path / "places.geojson"


@pytest.mark.parametrize("fmt", ["gpkg", "shapefile", "kml", "flatgeobuf", "geoparquet", "geojson"])
def test_each_geo_format_round_trips_the_features_and_thai_names(fmt: str, tmp_path: Path) -> None:
    table = read_table(_write(fmt, tmp_path))
    assert table.format == fmt
    _assert_places(table)
    assert list(table.frame.index) == [1, 2, 3] and table.frame.index.name == "row"
    assert sorted(table.frame["place_id"]) == ["p1", "p2", "p3"]
    if fmt == "shapefile":  # written in UTM 47N with a .prj and a .cpg
        assert table.crs == "EPSG:32647" and table.encoding == "UTF-8"
        assert [p.reason for p in table.problems] == [
            "reprojected from EPSG:32647 to WGS84 (source: WGS 84 / UTM zone 47N)"]
    else:
        assert table.crs in ("EPSG:4326", "OGC:CRS84") and table.problems == []
    if fmt == "kml":  # LIBKML's empty housekeeping columns are dropped, the data columns stay
        assert "tessellate" not in table.frame.columns and "name_th" in table.frame.columns


def test_csv_round_trips_as_text_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    table = read_table(path)
    assert (table.format, table.encoding, table.has_geometry, table.crs) == ("csv", "utf-8", False, None)
    assert list(table.frame.columns) == ["place_id", "name_th", "lat", "lon"]
    assert list(table.frame["name_th"]) == NAMES
    assert list(table.frame["lat"]) == [str(lat) for _, lat in LONLAT]  # text, not numbers
    assert list(table.frame.index) == [2, 3, 4]
    assert table.problems == []


def test_csv_with_bom_empty_values_and_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_bytes(b"\xef\xbb\xbf" + 'name,note\n"Wat\nPhra Singh",\n\nดอยสุเทพ,"a, b"\n'.encode())
    table = read_table(path)
    assert table.encoding == "utf-8-sig"
    assert list(table.frame.columns) == ["name", "note"]  # no BOM glued to the first name
    assert list(table.frame["name"]) == ["Wat\nPhra Singh", "ดอยสุเทพ"]
    assert list(table.frame["note"]) == ["", "a, b"]  # empty stays "", not NaN
    assert list(table.frame.index) == [2, 5]  # the record after a two-line value and a blank line


@pytest.mark.parametrize(("delimiter", "suffix", "fmt"), [(";", ".csv", "csv"), ("\t", ".tsv", "tsv"),
                                                           ("\t", ".txt", "tsv"), (",", ".txt", "csv")])
def test_delimiters_are_sniffed(delimiter: str, suffix: str, fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"places{suffix}"
    path.write_text(CSV_TEXT.replace(",", delimiter), encoding="utf-8")
    table = read_table(path)
    assert table.format == fmt
    assert list(table.frame.columns) == ["place_id", "name_th", "lat", "lon"]
    assert list(table.frame["name_th"]) == NAMES


def test_excel_unicode_text_is_utf16_tab_separated(tmp_path: Path) -> None:
    path = tmp_path / "places.txt"  # Excel "Unicode Text": UTF-16 LE with a BOM, tabs, CRLF
    path.write_bytes(CSV_TEXT.replace(",", "\t").replace("\n", "\r\n").encode("utf-16"))
    table = read_table(path)
    assert (table.encoding, table.format) == ("utf-16", "tsv")
    assert list(table.frame["name_th"]) == NAMES and list(table.frame["lon"])[0] == "98.9819"


def test_excel_sep_line_names_the_delimiter(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text("sep=;\nname;lat\nวัด, เจดีย์;18.7\n", encoding="utf-8")
    table = read_table(path)
    assert list(table.frame.columns) == ["name", "lat"]
    assert list(table.frame["name"]) == ["วัด, เจดีย์"] and list(table.frame.index) == [3]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_thai_windows_csv_is_detected_as_cp874(delimiter: str, tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_bytes(CSV_TEXT.replace(",", delimiter).encode("cp874"))
    table = read_table(path)
    assert table.encoding == "cp874"
    assert list(table.frame["name_th"]) == NAMES


def test_detect_encoding() -> None:
    assert detect_encoding("ชื่อ\nวัดพระสิงห์\n".encode()) == "utf-8"
    assert detect_encoding(b"name\nabc\n") == "utf-8"
    assert detect_encoding("\ufeffname\n".encode()) == "utf-8-sig"
    assert detect_encoding("name\nวัด\n".encode("utf-16")) == "utf-16"
    assert detect_encoding("a,b\nx,ก\n".encode("cp874")) == "cp874"  # charset-normalizer alone says UTF-16
    assert detect_encoding("id;name\n1;ตลาดวโรรส\n2;ดอยสุเทพ\n".encode("cp874")) == "cp874"
    # Latin accents decoded as cp874 land next to Latin letters: not Thai.
    assert detect_encoding("name\ncafé crème brûlée à côté\nnaïve été\n".encode("cp1252")) != "cp874"
    # Mostly UTF-8 with one stray byte: still UTF-8 (decoding then reports that byte).
    assert detect_encoding("ชื่อ\n".encode() * 20 + b"\xff") == "utf-8"


def test_latin_csv_is_refused_with_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    raw = "name\nabc\ncafé crème brûlée à côté\n".encode("cp1252")
    path.write_bytes(raw)
    message = _refused(path)
    assert message.startswith("places.csv: cannot be read as utf-8 text: byte 0xE9 at offset 12 (line 3)")
    assert raw[12] == 0xE9 and "neither UTF-8 nor Thai Windows" in message and "CSV UTF-8" in message


def test_undecodable_byte_in_thai_csv_is_refused_with_its_offset(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    raw = CSV_TEXT.encode("cp874")
    offset = raw.index(b"\n", 30) + 1
    path.write_bytes(raw[:offset] + b"\xfc" + raw[offset:])  # 0xFC is not a cp874 character
    message = _refused(path)
    assert f"cannot be read as cp874 text: byte 0xFC at offset {offset} (line 3)" in message


def test_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text("name,lat,lon\nวัด,18.7,98.9\nWat Phra Singh, Chiang Mai,18.7,98.9\nตลาด,18.8\n"
                    "ดอย,18.8,98.9,,\n", encoding="utf-8")
    table = read_table(path)
    assert list(table.frame.index) == [2, 4, 5]  # line 3 left out
    assert list(table.frame["lon"]) == ["98.9", "", "98.9"]
    assert [(p.row, p.action) for p in table.problems] == [(3, "rejected"), (4, "warning")]
    assert "row has 4 values but the header has 3 columns" in table.problems[0].reason


def test_every_row_ragged_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text("name,lat\nWat, Chiang Mai,18.7\nDoi, Suthep,18.8\n", encoding="utf-8")
    message = _refused(path)
    assert "every data row has more values than the header's 2 columns" in message


def test_unclosed_quote_and_duplicate_columns_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "places.csv"
    path.write_text('name,lat\na,1\n"b,2\nc,3\n', encoding="utf-8")
    assert "a quoted value that starts on line 3 is never closed" in _refused(path)
    path.write_text("name,lat,name\na,1,b\n", encoding="utf-8")
    assert "two columns are both named 'name' (columns 1 and 3)" in _refused(path)


# --------------------------------------------------------------------------------------------- GeoJSON


# Independent check: UTM zone 47N's central meridian is 99°E (easting 500,000 m), the equator northing 0 m.
UTM_POINTS = [((500000.0, 0.0), (99.0, 0.0)), ((497892.376, 2077591.796), (98.98, 18.79))]


@pytest.mark.parametrize("crs", [{"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32647"}},
                                 "EPSG:32647", {"type": "EPSG", "properties": {"code": 32647}}])
def test_utm_geojson_with_legacy_crs_is_reprojected(crs: object, tmp_path: Path) -> None:
    path = _geojson(tmp_path, _fc(*(_feature({"type": "Point", "coordinates": list(xy)}, name=n)
                                    for (xy, _), n in zip(UTM_POINTS, NAMES, strict=False)), crs=crs))
    table = read_table(path)
    assert table.crs == "EPSG:32647"
    for geom, (_, (lon, lat)) in zip(table.frame["geometry"], UTM_POINTS, strict=True):
        assert geom.x == pytest.approx(lon, abs=1e-6) and geom.y == pytest.approx(lat, abs=1e-6)
    assert [(p.row, p.action) for p in table.problems] == [(None, "repaired")]
    assert table.problems[0].reason.startswith("reprojected from EPSG:32647 to WGS84")


@pytest.mark.parametrize("crs", [{"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
                                 "OGC:CRS84", None])
def test_crs84_and_no_crs_are_wgs84(crs: object, tmp_path: Path) -> None:
    path = _geojson(tmp_path, _fc(*(_feature({"type": "Point", "coordinates": list(xy)}, name_th=n)
                                    for xy, n in zip(LONLAT, NAMES, strict=True)), crs=crs), bom=True)
    table = read_table(path)
    _assert_places(table)
    assert table.problems == [] and table.encoding == "utf-8-sig"
    assert table.crs == ("EPSG:4326" if crs is None else "OGC:CRS84")


@pytest.mark.parametrize(("crs", "shown"), [
    ({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::999999"}}, "urn:ogc:def:crs:EPSG::999999"),
    ({"type": "name", "properties": {"name": "Indian 1975 local grid"}}, "Indian 1975 local grid"),
    ({"type": "wrong"}, '{"type": "wrong"}'),
])
def test_unknown_crs_is_refused(crs: object, shown: str, tmp_path: Path) -> None:
    path = _geojson(tmp_path, _fc(_feature({"type": "Point", "coordinates": [1, 2]}), crs=crs))
    message = _refused(path)
    assert message.startswith("zones.geojson: cannot tell the coordinate system")
    assert repr(shown) in message and "EPSG:4326" in message


def test_metres_without_a_crs_member_are_refused(tmp_path: Path) -> None:
    path = _geojson(tmp_path, _fc(_feature({"type": "Point", "coordinates": [497892.4, 2077591.8]})))
    message = _refused(path)
    assert "cannot tell the coordinate system: the file has no \"crs\" member" in message
    assert "(497892.4, 2077591.8)" in message


def test_javascript_wrapped_geojson_is_refused_with_the_exact_explanation(tmp_path: Path) -> None:
    path = tmp_path / "zones.geojson"
    path.write_text('var json_zones = {"type": "FeatureCollection", "features": []};\n', encoding="utf-8")
    assert _refused(path) == ("zones.geojson: this is JavaScript (`var json_zones = ...`) wrapping GeoJSON; "
                              "remove the `var json_zones =` prefix and the trailing `;`")
    path.write_text('window.zones = {"type": "FeatureCollection", "features": []}', encoding="utf-8")
    assert _refused(path) == ("zones.geojson: this is JavaScript (`window.zones = ...`) wrapping GeoJSON; "
                              "remove the `window.zones =` prefix")


@pytest.mark.parametrize("name", ["zones.geojson", "places.csv", "zones.kml"])
def test_html_is_refused(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_text("<!DOCTYPE html>\n<html><body>Sign in</body></html>\n", encoding="utf-8")
    message = _refused(path)
    assert f"{name}: named {path.suffix} but is an HTML web page" in message
    assert "download the file again" in message


def test_content_that_contradicts_the_extension_is_refused(tmp_path: Path) -> None:
    zipped = _zip(tmp_path / "zones.geojson", {"zones.geojson": b"{}"})
    assert _refused(zipped).startswith("zones.geojson: named .geojson but is a ZIP archive; rename it to end in .zip")
    gpkg = tmp_path / "places.gpkg"
    _places().to_file(gpkg, engine="pyogrio")
    csv_named = tmp_path / "places.csv"
    csv_named.write_bytes(gpkg.read_bytes())
    assert "places.csv: named .csv but is a SQLite database (a GeoPackage is one); rename it to end in .gpkg" \
        in _refused(csv_named)
    json_csv = tmp_path / "zones.csv"
    json_csv.write_text('{"type": "FeatureCollection"}', encoding="utf-8")
    assert "named .csv but is JSON, not a table; if it is GeoJSON, rename it" in _refused(json_csv)
    csv_json = tmp_path / "places.geojson"
    csv_json.write_text(CSV_TEXT, encoding="utf-8")
    assert "places.geojson: looks like CSV, not GeoJSON (first line: 'place_id,name_th,lat,lon')" \
        in _refused(csv_json)
    xlsx = _zip(tmp_path / "places.zip", {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"})
    assert "holds no Shapefile (.shp); inside: [Content_Types].xml, xl/workbook.xml" in _refused(xlsx)
    assert "does not read .xlsx files" in _refused(_zip(tmp_path / "sheet.xlsx", {"a": b"b"}))


def test_invalid_json_is_refused_with_its_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "zones.geojson"
    path.write_text('{"type": "FeatureCollection",\n  "features": [\n    {"type": "Feature",}\n  ]}\n',
                    encoding="utf-8")
    assert _refused(path) == ("zones.geojson: is not valid JSON: Expecting property name enclosed in double "
                              "quotes at line 3, column 24; fix the file there or export it again")


def test_json_that_is_not_geojson_is_refused_saying_what_it_found(tmp_path: Path) -> None:
    assert ("is JSON but not GeoJSON: it has no \"type\" member (keys: 'name', 'items')"
            in _refused(_geojson(tmp_path, {"name": "x", "items": []})))
    assert "it is a list of 2 items" in _refused(_geojson(tmp_path, [1, 2], "a.json"))
    assert "is TopoJSON, not GeoJSON" in _refused(_geojson(tmp_path, {"type": "Topology"}, "t.json"))


def test_single_feature_and_bare_geometry(tmp_path: Path) -> None:
    feature = read_table(_geojson(tmp_path, _feature({"type": "Point", "coordinates": [98.9, 18.7]},
                                                     name_th="วัด", tags={"a": ["ข"]})))
    assert feature.rows == 1 and list(feature.frame["name_th"]) == ["วัด"]
    assert list(feature.frame["tags"]) == ['{"a": ["ข"]}']  # nested values as JSON text
    bare = read_table(_geojson(tmp_path, {"type": "Point", "coordinates": [98.9, 18.7]}, "p.geojson"))
    assert bare.rows == 1 and bare.frame["geometry"].iloc[0].equals(Point(98.9, 18.7))
    with_id = read_table(_geojson(tmp_path, _fc({**_feature(None, name="x"), "id": "way/1"},
                                                 _feature(None, name="y")), "ids.geojson"))
    ids = with_id.frame["id"]  # the Feature id, when no property is called id
    assert ids.loc[1] == "way/1" and pd.isna(ids.loc[2])


def test_non_finite_coordinates_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "zones.geojson"
    path.write_text('{"type": "FeatureCollection", "features": ['
                    '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [1, 2]}},'
                    '{"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [NaN, 2]}},'
                    '{"type": "Feature", "properties": {}, "geometry": {"type": "LineString", '
                    '"coordinates": [[1, 2], [1e999, 3]]}}]}', encoding="utf-8")
    table = read_table(path)
    assert table.frame["geometry"].iloc[0].equals(Point(1, 2))
    assert table.frame["geometry"].iloc[1:].isna().all()
    assert [(p.row, p.action, p.reason) for p in table.problems] == [
        (2, "rejected", "a coordinate is not a finite number"), (3, "rejected", "a coordinate is not a finite number")]


def _one(tmp_path: Path, geometry: object) -> tuple[object, list[tuple[int | None, str, str]]]:
    path = _geojson(tmp_path, _fc(_feature({"type": "Point", "coordinates": [98.9, 18.7]}, name="ok"),
                                  _feature(geometry, name="tested")))
    table = read_table(path)
    assert table.rows == 2 and list(table.frame["name"]) == ["ok", "tested"]
    return table.frame["geometry"].loc[2], [(p.row, p.action, p.reason) for p in table.problems]


SQUARE = [[98.9, 18.7], [99.0, 18.7], [99.0, 18.8], [98.9, 18.8]]


def test_unclosed_ring_is_closed(tmp_path: Path) -> None:
    geom, problems = _one(tmp_path, {"type": "Polygon", "coordinates": [SQUARE]})
    assert geom.equals(Polygon(SQUARE)) and list(geom.exterior.coords)[0] == list(geom.exterior.coords)[-1]
    assert problems == [(2, "repaired", "ring 1 was not closed; closed it")]


def test_ring_of_three_positions_is_rejected(tmp_path: Path) -> None:
    geom, problems = _one(tmp_path, {"type": "Polygon", "coordinates": [[SQUARE[0], SQUARE[1], SQUARE[0]]]})
    assert geom is None
    assert problems == [(2, "rejected", "ring 1 has 3 positions; a ring needs at least 4 (three corners and "
                                        "the first repeated at the end)")]


def test_coordinates_as_text(tmp_path: Path) -> None:
    geom, problems = _one(tmp_path, {"type": "Point", "coordinates": ["98.98", " 18.79"]})
    assert geom.equals(Point(98.98, 18.79))
    assert problems == [(2, "repaired", "coordinates given as text (e.g. '98.98'); converted them to numbers")]
    geom, problems = _one(tmp_path, {"type": "Point", "coordinates": ["98.98E", "18.79N"]})
    assert geom is None and problems == [(2, "rejected", "Point coordinate '98.98E' is not a number")]


def test_nested_geometry_collection_of_polygons_becomes_a_multipolygon(tmp_path: Path) -> None:
    other = [[x + 1, y] for x, y in SQUARE] + [[SQUARE[0][0] + 1, SQUARE[0][1]]]
    geom, problems = _one(tmp_path, {"type": "GeometryCollection", "geometries": [
        {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "coordinates": [SQUARE + [SQUARE[0]]]}]},
        {"type": "Polygon", "coordinates": [other]}]})
    assert geom.equals(MultiPolygon([Polygon(SQUARE), Polygon(other)]))
    assert problems == [(2, "repaired", "nested geometry collection of 2 polygons; made it one MultiPolygon")]


def test_mixed_geometry_collection_is_rejected(tmp_path: Path) -> None:
    geom, problems = _one(tmp_path, {"type": "GeometryCollection", "geometries": [
        {"type": "Point", "coordinates": [98.9, 18.7]}, {"type": "Polygon", "coordinates": [SQUARE]}]})
    assert geom is None
    assert problems == [(2, "repaired", "ring 1 was not closed; closed it"),
                        (2, "rejected", "geometry collection mixes points and polygons; split them into "
                                        "separate features")]


def test_null_geometry_is_rejected(tmp_path: Path) -> None:
    geom, problems = _one(tmp_path, None)
    assert geom is None and problems == [(2, "rejected", "feature has no geometry")]


# --------------------------------------------------------------------------------------------- GDAL formats


def test_shapefile_without_prj_is_refused(tmp_path: Path) -> None:
    message = _refused(_shapefile_zip(tmp_path, drop=(".prj",)))
    assert message.startswith("places.zip: cannot tell the coordinate system: places.shp has no .prj file")


def test_thai_shapefile_without_cpg_is_read_as_cp874(tmp_path: Path) -> None:
    path = _shapefile_zip(tmp_path, encoding="cp874", drop=(".cpg",))
    table = read_table(path)
    assert table.encoding == "cp874"
    _assert_places(table)
    assert any(p.action == "warning" and "no .cpg" in p.reason and "cp874" in p.reason for p in table.problems)


HINT = " (--source-layer NAME, or the upload form's \"Layer inside the file\")"


def test_zip_with_two_shapefiles_needs_a_layer(tmp_path: Path) -> None:
    single = _shapefile_zip(tmp_path)
    with zipfile.ZipFile(single) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files.update({"temples" + name[len("places"):]: data for name, data in files.items()})
    both = _zip(tmp_path / "both.zip", files)
    assert _refused(both) == ("both.zip: has 2 layers: 'places' (Shapefile), 'temples' (Shapefile); say which "
                              "layer to read" + HINT)
    table = read_table(both, layer="temples")
    assert table.layer == "temples"
    _assert_places(table)


def test_zip_without_a_shapefile_is_refused_listing_its_contents(tmp_path: Path) -> None:
    path = _zip(tmp_path / "data.zip", {"readme.txt": b"x", "places.dbf": b"y"})
    assert _refused(path).startswith("data.zip: holds no Shapefile (.shp); inside: readme.txt, places.dbf.")


def test_geopackage_with_two_layers_needs_a_layer(tmp_path: Path) -> None:
    path = tmp_path / "city.gpkg"
    _places().to_file(path, layer="temples", engine="pyogrio")
    _places().iloc[:1].to_file(path, layer="markets", engine="pyogrio")
    message = _refused(path)
    assert message == "city.gpkg: has 2 layers: 'temples' (Point), 'markets' (Point); say which layer to read" + HINT
    table = read_table(path, layer="markets")
    assert (table.layer, table.rows) == ("markets", 1)
    assert "has no layer 'shops'; its layers are 'temples' (Point), 'markets' (Point)" in _refused(
        path, layer="shops")


def test_gdal_feature_without_geometry_is_rejected(tmp_path: Path) -> None:
    places = _places()
    places.loc[1, "geometry"] = None
    places.loc[2, "geometry"] = Point()  # an empty geometry is no geometry either
    places.to_file(tmp_path / "places.gpkg", engine="pyogrio")
    table = read_table(tmp_path / "places.gpkg")
    assert table.rows == 3 and table.frame["geometry"].loc[1].equals(Point(LONLAT[0]))
    assert table.frame["geometry"].loc[2] is None and table.frame["geometry"].loc[3] is None
    assert [(p.row, p.action, p.reason) for p in table.problems] == [(2, "rejected", "feature has no geometry"),
                                                                     (3, "rejected", "feature has no geometry")]


def test_uploaded_temp_path_uses_the_display_name(tmp_path: Path) -> None:
    upload = tmp_path / "upload-8f3a"  # what a web upload looks like on disk: no extension
    _places().to_file(tmp_path / "real.gpkg", engine="pyogrio")
    upload.write_bytes((tmp_path / "real.gpkg").read_bytes())
    table = read_table(upload, name="temples.gpkg")
    assert table.name == "temples.gpkg" and table.format == "gpkg"
    _assert_places(table)
    zipped = tmp_path / "upload-77c1"
    zipped.write_bytes(_shapefile_zip(tmp_path).read_bytes())
    _assert_places(read_table(zipped, name="temples.zip"))
    upload.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)  # a broken database
    message = _refused(upload, name="temples.gpkg")
    assert message.startswith("temples.gpkg: cannot be read as a GeoPackage") and str(tmp_path) not in message


def test_plain_parquet(tmp_path: Path) -> None:
    table = pd.DataFrame({"name_th": NAMES, "lat": [lat for _, lat in LONLAT], "lon": [lon for lon, _ in LONLAT]})
    table.to_parquet(tmp_path / "places.parquet")
    read = read_table(tmp_path / "places.parquet")
    assert (read.format, read.has_geometry) == ("geoparquet", False)
    assert list(read.frame["name_th"]) == NAMES and list(read.frame.index) == [1, 2, 3]
    assert [p.action for p in read.problems] == ["warning"]
    table.drop(columns=["lat"]).to_parquet(tmp_path / "names.parquet")
    assert "is plain Parquet without GeoParquet ('geo') metadata" in _refused(tmp_path / "names.parquet")


# --------------------------------------------------------------------------------------------- empty, size, OSM


def test_empty_files_are_refused(tmp_path: Path) -> None:
    cases = {
        "a.csv": (b"", "a.csv: is empty (0 bytes)"),
        "b.csv": (b"\xef\xbb\xbf \r\n\t\n", "b.csv: is empty (only blank space)"),
        "c.csv": (b"name,lat,lon\r\n\r\n", "c.csv: is empty: it has a header line but no data rows"),
        "d.geojson": (b'{"type": "FeatureCollection", "features": []}',
                      "d.geojson: is empty: its FeatureCollection has no features"),
        "e.geojson": (b"\xef\xbb\xbf\n", "e.geojson: is empty (only blank space)"),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        assert _refused(path).startswith(expected), name
    _places().iloc[:0].to_file(tmp_path / "none.gpkg", layer="places", engine="pyogrio")
    assert _refused(tmp_path / "none.gpkg").startswith("none.gpkg: is empty: layer 'places' has no features")


def test_oversize_file_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "places.csv"
    with path.open("wb") as handle:
        handle.truncate(3 * 1024 * 1024 // 2)  # 1.5 MB, sparse

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(pathlib.Path, "open", no_reading)
    monkeypatch.setattr(pathlib.Path, "read_bytes", no_reading)
    monkeypatch.setattr(builtins, "open", no_reading)
    message = _refused(path, max_bytes=1024 * 1024)
    assert message.startswith("places.csv: is 1.5 MB; the import limit is 1 MB.")


def test_default_limit_is_200_mb(tmp_path: Path) -> None:
    assert DEFAULT_MAX_BYTES == 200 * 1024 * 1024
    path = tmp_path / "big.geojson"
    with path.open("wb") as handle:
        handle.truncate(DEFAULT_MAX_BYTES + 1)  # sparse: no disk used
    assert _refused(path).startswith("big.geojson: is 200 MB; the import limit is 200 MB.")


def test_osm_goes_to_the_osm_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "extract.osm.pbf"
    path.write_bytes(b"\x00\x00\x00\x0d\x0a\x09OSMHeader")
    calls: list[tuple[Path, str]] = []
    sentinel = SourceTable(name="cm.osm.pbf", format="osm", frame=pd.DataFrame(), has_geometry=True)

    def read_osm(p: Path, *, name: str) -> SourceTable:
        calls.append((p, name))
        return sentinel

    fake = types.ModuleType("geo.ingest.osm")
    fake.read_osm = read_osm  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "geo.ingest.osm", fake)
    assert read_table(path, name="cm.osm.pbf") is sentinel and calls == [(path, "cm.osm.pbf")]
    monkeypatch.setitem(sys.modules, "geo.ingest.osm", None)  # the reader missing: import fails
    assert _refused(path, name="cm.osm.pbf").startswith("cm.osm.pbf: is an OpenStreetMap file, which "
                                                        "geo.ingest.osm reads, and that reader is not available")


def test_unknown_extension_is_refused_with_a_hint(tmp_path: Path) -> None:
    shp = tmp_path / "places.shp"
    shp.write_bytes(b"\x00\x00\x27\x0a" + b"\x00" * 96)
    assert "zip the .shp, .shx, .dbf, .prj (and .cpg) files together" in _refused(shp)
    fgb = tmp_path / "places.bin"
    _places().to_file(tmp_path / "places.fgb", driver="FlatGeobuf", engine="pyogrio")
    (tmp_path / "places.fgb").rename(fgb)
    assert "the content looks like a FlatGeobuf file: rename it to end in .fgb" in _refused(fgb)
