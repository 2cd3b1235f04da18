"""Turn what a page shows into files: tables (CSV, Excel, GeoJSON, GeoParquet), charts (PNG, SVG), maps (HTML).

Pure functions from DataFrames, GeoDataFrames, Altair charts and Folium maps to bytes; no queries, no
Streamlit. ``ui.export`` offers them as downloads, ``geo.report`` uses them for the report pack.

* **CSV** is UTF-8 *with* a byte-order mark (Excel on Thai Windows reads a BOM-less file in the ANSI code
  page and garbles Thai; DuckDB's ``COPY`` writes no BOM), comma-separated, ISO dates, ``.`` decimals.
* **Spreadsheets and untrusted text**: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return is a formula to Excel and LibreOffice. In CSV such a cell gets a leading apostrophe (OWASP's
  advice; spreadsheets hide it); in ``.xlsx`` every text cell is written as a string cell, never a formula,
  so the text is kept exactly.
* **Geometry**: WGS84 (EPSG:4326). H3 cells travel as their hex text (``8864a4...``): the 64-bit integer the
  database stores is beyond what JSON numbers and Excel keep exactly.
* **Charts** are drawn offline by vl-convert with the Thai fonts registered (``geo.render.fonts``), with
  their title and a caption that states the filters (and SIMULATED where it applies).
* **Maps** become one HTML file that opens with no network and no server: the Leaflet, jQuery and plugin
  files the app serves from ``/app/static/`` are inlined (read from the installed packages, so the export
  works without ``static/``), Leaflet's CSS images as data URIs. Base-map tiles still need the internet,
  as in the app; everything else draws on the grey background.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import folium
import h3
import pandas as pd
import shapely

from geo.i18n import _, display_name
from geo.render.assets import asset_files, asset_url
from geo.render.base import leg_end_name, other_name
from geo.render.fonts import chart_font, register_vl_convert
from geo.text import html_text

if TYPE_CHECKING:  # GeoPandas is imported when a geometry is exported, not when the app starts
    import geopandas as gpd

#: CRS of every geometry export.
CRS = "EPSG:4326"
#: First characters that make a spreadsheet read a text cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Width in pixels of an exported chart that has none of its own (the app draws charts container-wide).
CHART_WIDTH = 640

MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
    "png": "image/png",
    "svg": "image/svg+xml",
    "html": "text/html",
    "pdf": "application/pdf",
    "gpx": "application/gpx+xml",
}


# --- tables -------------------------------------------------------------------------------------------


def _cell_text(value: Any) -> Any:
    """Lists, tuples and dicts (a route's path) as JSON text; everything else unchanged."""
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with geometry as WKT text and nested values as JSON text (what a flat table can hold)."""
    out = pd.DataFrame(frame).copy()
    if _is_geo(frame):
        geom = frame.geometry.name
        out[geom] = [None if g is None else g.wkt for g in frame.geometry]
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(_cell_text)
    return out


def _is_geo(frame: object) -> bool:
    return any(cls.__name__ == "GeoDataFrame" for cls in type(frame).__mro__)


def spreadsheet_safe(value: Any) -> Any:
    """A text starting like a formula gets a leading apostrophe (CSV only; see the module docstring)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as UTF-8 CSV with a byte-order mark, no index, formula-like texts neutralised."""
    out = _plain(frame)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(spreadsheet_safe)
    buf = io.StringIO()
    out.to_csv(buf, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n", date_format="%Y-%m-%d %H:%M:%S")
    return buf.getvalue().encode("utf-8-sig")


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: set[str]) -> str:
    """An Excel sheet name: at most 31 characters, none of ``[]:*?/\\``, unique among ``taken``."""
    base = _SHEET_BAD.sub("-", str(name)).strip("'") or "Sheet"
    candidate, n = base[:31], 2
    while candidate.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def _excel_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones; the atlas stores UTC
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # NumPy scalars
        try:
            value = value.item()
        except (ValueError, AttributeError):
            value = str(value)
        if isinstance(value, float) and math.isnan(value):
            return None
    return _cell_text(value)


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame], about: Sequence[tuple[str, str]] = ()) -> bytes:
    """An Excel workbook: an ``About`` sheet (``about`` as label/value rows) when given, then one sheet per table.

    Header rows are bold and frozen; text cells are string cells (a leading ``=`` stays text).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    bold = Font(bold=True)

    def add(name: str, header: Sequence[str], rows: Any) -> None:
        ws = wb.create_sheet(sheet_name(name, taken))
        ws.append([str(h) for h in header])
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([_excel_value(v) for v in row])
        for row in ws.iter_rows(min_row=1):
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text starts with
        ws.freeze_panes = "A2"
        for i, col in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), start=1):
            width = max((len(str(c.value)) for c in col if c.value is not None), default=8)
            ws.column_dimensions[col[0].column_letter].width = min(max(width + 2, 8), 60)
            del i

    if about:
        add(_("About"), ("", ""), about)
    for name, frame in sheets.items():
        flat = _plain(frame)
        add(name, list(flat.columns), flat.itertuples(index=False, name=None))
    if not wb.sheetnames:
        add(_("About"), ("", ""), [("", _("no data"))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _json_ready(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Property values JSON can hold: dates and times as ISO text, nested values as JSON text, NaN as null."""
    out = frame.copy()
    for col in out.columns:
        if col == out.geometry.name:
            continue
        series = out[col]
        if pd.api.types.is_datetime64_any_dtype(series):
            out[col] = [None if pd.isna(v) else pd.Timestamp(v).isoformat() for v in series]
        elif series.dtype == object:
            out[col] = [
                v.isoformat() if isinstance(v, date | datetime) else _cell_text(v) for v in series
            ]
    return out


def geojson_bytes(frame: gpd.GeoDataFrame) -> bytes:
    """A GeoJSON FeatureCollection (RFC 7946: WGS84 lon/lat), UTF-8, Thai kept as text."""
    data = _json_ready(frame.to_crs(CRS) if frame.crs is not None else frame.set_crs(CRS))
    return data.to_json(na="null", drop_id=True, ensure_ascii=False).encode("utf-8")


def geoparquet_bytes(frame: gpd.GeoDataFrame) -> bytes:
    """GeoParquet (WKB geometry, CRS in the metadata); nested values as JSON text."""
    out = frame.to_crs(CRS) if frame.crs is not None else frame.set_crs(CRS)
    out = out.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(_cell_text)
    buf = io.BytesIO()
    out.to_parquet(buf, index=False)
    return buf.getvalue()


# --- geometry for tables -------------------------------------------------------------------------------


def points_frame(frame: pd.DataFrame, lon: str = "lon", lat: str = "lat") -> gpd.GeoDataFrame:
    """Points from ``lon``/``lat`` columns (kept as columns too); rows without coordinates get no geometry."""
    import geopandas as gpd

    geometry = [
        None if pd.isna(x) or pd.isna(y) else shapely.Point(float(x), float(y))
        for x, y in zip(frame[lon], frame[lat], strict=True)
    ]
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometry, crs=CRS)


def cell_hex(cell: Any) -> str:
    """An H3 cell as hex text, from the integer the database stores or hex text."""
    return cell if isinstance(cell, str) else format(int(cell), "x")


def cells_frame(frame: pd.DataFrame, cell: str = "cell") -> gpd.GeoDataFrame:
    """H3 hexagons for a ``cell`` column; the column becomes the cell's hex text (see the module docstring)."""
    import geopandas as gpd

    hexes = [cell_hex(c) for c in frame[cell]]
    polygons = [shapely.Polygon([(lon, lat) for lat, lon in h3.cell_to_boundary(h)]) for h in hexes]
    out = frame.reset_index(drop=True).assign(**{cell: hexes})
    return gpd.GeoDataFrame(out, geometry=polygons, crs=CRS)


def lines_frame(
    frame: pd.DataFrame, start: tuple[str, str], end: tuple[str, str]
) -> gpd.GeoDataFrame:
    """Straight lines from the ``start`` (lon, lat) columns to the ``end`` (lon, lat) columns."""
    import geopandas as gpd

    geometry = [
        None if any(pd.isna(v) for v in (x1, y1, x2, y2)) else shapely.LineString([(x1, y1), (x2, y2)])
        for x1, y1, x2, y2 in zip(frame[start[0]], frame[start[1]], frame[end[0]], frame[end[1]], strict=True)
    ]
    return gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=geometry, crs=CRS)


def path_frame(frame: pd.DataFrame, path: str = "path") -> gpd.GeoDataFrame:
    """Lines from a column of [lat, lon] point lists (a route's legs); the list column is dropped."""
    import geopandas as gpd

    geometry = [
        shapely.LineString([(float(p[1]), float(p[0])) for p in pts]) if len(pts) >= 2 else None
        for pts in frame[path]
    ]
    return gpd.GeoDataFrame(frame.drop(columns=[path]).reset_index(drop=True), geometry=geometry, crs=CRS)


def _xml(text: Any) -> str:
    """Text for XML content: escaped, and without the control characters XML 1.0 forbids."""
    from xml.sax.saxutils import escape

    clean = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", "" if text is None or pd.isna(text) else str(text))
    return escape(clean, {'"': "&quot;"})


def route_gpx(legs: pd.DataFrame, stops: pd.DataFrame, title: str | None = None) -> bytes:
    """A route as GPX 1.1: a waypoint per stop (its name in the current language, the other name as the
    description) and a track per leg, every word in the current language (``geo.i18n``).

    ``legs`` and ``stops`` are ``geo.services.movement.Route`` fields (path as [lat, lon] points). Garmin,
    OsmAnd, Google My Maps and QGIS read it; every text is XML-escaped.
    """
    default_title = _("Tourism Atlas route")
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<gpx version="1.1" creator="Tourism Atlas" xmlns="http://www.topografix.com/GPX/1/1">',
           f"<metadata><name>{_xml(title or default_title)}</name></metadata>"]
    for i, rec in enumerate(stops.to_dict("records"), start=1):
        out.append(f'<wpt lat="{float(rec["lat"]):.7f}" lon="{float(rec["lon"]):.7f}"><name>{i}. '
                   f"{_xml(display_name(rec))}</name><desc>{_xml(other_name(rec))}</desc></wpt>")
    for rec in legs.to_dict("records"):
        method = _("on roads") if rec.get("on_roads") else _("straight line")
        name = _("Leg {n}: {start} → {end}").format(n=rec["leg"], start=leg_end_name(rec, "from"),
                                                     end=leg_end_name(rec, "to"))
        desc = _("{leg} · {km} km · {minutes} min ({method})").format(
            leg=name, km=f"{float(rec['distance_km']):.2f}", minutes=f"{float(rec['minutes']):.0f}", method=method)
        points = "".join(f'<trkpt lat="{float(p[0]):.7f}" lon="{float(p[1]):.7f}"/>' for p in rec["path"])
        out.append(f"<trk><name>{_xml(name)}</name><desc>{_xml(desc)}</desc><trkseg>{points}</trkseg></trk>")
    out.append("</gpx>")
    return ("\n".join(out) + "\n").encode("utf-8")


def route_geojson(legs: pd.DataFrame, stops: pd.DataFrame) -> bytes:
    """A route as one GeoJSON FeatureCollection: the stops (points, in visiting order) and the legs (lines)."""
    features = []
    for i, rec in enumerate(stops.to_dict("records"), start=1):
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [float(rec["lon"]), float(rec["lat"])]},
                         "properties": {"kind": "stop", "order": i, "place_id": rec["place_id"],
                                        "name_en": rec["name_en"], "name_th": rec.get("name_th")}})
    for rec in legs.to_dict("records"):
        props = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in rec.items() if k != "path"}
        features.append({"type": "Feature", "properties": {"kind": "leg", **props},
                         "geometry": {"type": "LineString",
                                      "coordinates": [[float(p[1]), float(p[0])] for p in rec["path"]]}})
    doc = {"type": "FeatureCollection", "features": features}
    return json.dumps(doc, ensure_ascii=False, default=str).encode("utf-8")


def zones_frame(zones_geojson: str, table: pd.DataFrame | None = None, key: str = "zone_id") -> gpd.GeoDataFrame:
    """Zone polygons from the zones GeoJSON text, with ``table``'s columns joined on ``key`` when given."""
    import geopandas as gpd

    doc = json.loads(zones_geojson)
    features = doc.get("features", [])
    zones = gpd.GeoDataFrame.from_features(features, crs=CRS) if features else gpd.GeoDataFrame(
        {key: pd.Series(dtype=object)}, geometry=gpd.GeoSeries([], crs=CRS), crs=CRS)
    if table is None:
        return zones
    extra = table.drop(columns=[c for c in table.columns if c in zones.columns and c != key])
    joined = zones.merge(extra, on=key, how="left")
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=CRS)


# --- charts --------------------------------------------------------------------------------------------


def chart_title(spec: Mapping[str, Any]) -> str:
    """The title text of a Vega-Lite spec (its first line), or ``""``."""
    title = spec.get("title")
    if isinstance(title, Mapping):
        title = title.get("text")
    if isinstance(title, list | tuple):
        title = title[0] if title else ""
    return "" if title is None else str(title)


def export_spec(chart: Any, caption: Sequence[str] = ()) -> dict[str, Any]:
    """The chart's Vega-Lite spec ready for a file: data inline, caption lines under the title, fonts, white.

    ``chart`` is an Altair chart or a Vega-Lite spec (dict with inline data).
    """
    spec = dict(chart) if isinstance(chart, Mapping) else chart.to_dict()
    text = chart_title(spec)
    lines = [str(c) for c in caption if str(c)]
    spec["title"] = {"text": text or " ", "anchor": "start", "fontSize": 14, "subtitleFontSize": 11,
                     "subtitleColor": "#444444", **({"subtitle": lines} if lines else {})}
    if "width" not in spec and not any(k in spec for k in ("hconcat", "vconcat", "concat", "facet", "repeat")):
        spec["width"] = CHART_WIDTH
    config = dict(spec.get("config") or {})
    config["font"] = chart_font()
    spec["config"] = config
    spec["background"] = "white"
    return spec


def chart_svg(chart: Any, caption: Sequence[str] = ()) -> bytes:
    """The chart as SVG (text as text, so titles stay searchable), drawn offline."""
    import vl_convert

    register_vl_convert()
    return vl_convert.vegalite_to_svg(export_spec(chart, caption)).encode("utf-8")


def chart_png(chart: Any, caption: Sequence[str] = (), scale: float = 2.0) -> bytes:
    """The chart as PNG (``scale`` × its size in pixels, 2 = sharp on paper and high-density screens)."""
    import vl_convert

    register_vl_convert()
    return vl_convert.vegalite_to_png(export_spec(chart, caption), scale=scale)


# --- maps ----------------------------------------------------------------------------------------------

_CSS_URL = re.compile(r"url\((['\"]?)(images/[^'\")]+)\1\)")


def _inline_script(text: str) -> str:
    """JavaScript safe inside ``<script>``: no ``</script`` or ``<!--`` can end or bend the element."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE).replace("<!--", "<\\!--")


def _inline_css(name: str, text: str, files: Mapping[str, Any]) -> str:
    """CSS with its ``url(images/...)`` references replaced by data URIs of the packaged images."""
    folder = name.rsplit("/", 1)[0]

    def data_uri(match: re.Match[str]) -> str:
        path = files.get(f"{folder}/{match.group(2)}")
        if path is None:
            return match.group(0)
        mime = "image/svg+xml" if str(path).endswith(".svg") else "image/png"
        return f"url(data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')})"

    return _CSS_URL.sub(data_uri, text).replace("</style", "<\\/style")


_HEADER = (
    "<div style='position:fixed;top:8px;left:50%;transform:translateX(-50%);z-index:1000;max-width:70%;"
    "background:rgba(255,255,255,.92);padding:6px 12px;border-radius:6px;box-shadow:0 1px 4px rgba(0,0,0,.35);"
    "font:13px/1.35 sans-serif;text-align:center'>{body}</div>"
)


def standalone_map_html(m: folium.Map, title: str = "", caption: Sequence[str] = ()) -> str:
    """One HTML file that draws ``m`` with no network and no server (see the module docstring).

    Renders (and so alters) ``m``: pass a map built for this call. ``title`` and ``caption`` lines are
    escaped and shown in a box at the top of the map, and the title becomes the document's title.
    """
    html = m.get_root().render()
    files = asset_files()
    for name, path in files.items():
        url = asset_url(name)
        if name.endswith(".js"):
            tag = f'<script src="{url}"></script>'
            if tag in html:
                html = html.replace(tag, f"<script>{_inline_script(path.read_text(encoding='utf-8'))}</script>")
        elif name.endswith(".css"):
            tag = f'<link rel="stylesheet" href="{url}"/>'
            if tag in html:
                css = _inline_css(name, path.read_text(encoding="utf-8"), files)
                html = html.replace(tag, f"<style>{css}</style>")
    lines = [f"<b>{html_text(title)}</b>"] if title else []
    lines += [f"<div style='color:#444'>{html_text(c)}</div>" for c in caption if str(c)]
    if title:
        html = html.replace("<head>", f"<head>\n<title>{html_text(title)}</title>", 1)
    if lines:
        html = html.replace("<body>", "<body>\n" + _HEADER.format(body="".join(lines)), 1)
    return html
